from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from resources.vocabulary import DeviceKind, PrinterState


class PrinterReport(BaseModel):
    state: PrinterState
    detail: str = Field(default="", max_length=200, description="what the printer said")
    ticket: str | None = Field(
        default=None, max_length=10, description="the ticket that could not be printed, e.g. A012"
    )


class PrinterPublic(BaseModel):
    device: str
    state: PrinterState
    since: datetime = Field(description="when the printer entered this state")


class DevicePublic(BaseModel):
    name: str
    kind: DeviceKind
    printer_state: PrinterState | None = Field(description="None until the first report")
    printer_detail: str
    printer_state_since: datetime | None
