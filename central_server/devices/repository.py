from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from central_server.models import Device


def devices_of(session: Session, site_id: int) -> list[Device]:
    """The site's devices in name order, without those whose token was revoked."""
    query = (
        select(Device)
        .where(Device.site_id == site_id, Device.revoked_at.is_(None))
        .order_by(Device.name)
    )
    return list(session.scalars(query))
