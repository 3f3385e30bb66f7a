from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class LoginPublic(BaseModel):
    token: str
    expires_at: datetime
    roles: list[str]
    username: str
    display_name: str
    sites: list[str]
