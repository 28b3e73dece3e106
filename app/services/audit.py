"""Writing the audit log."""

from __future__ import annotations

from app.extensions import db
from app.models import AuditEvent
from app.services.clock import now


def record_event(*, contest_id: int | None, actor_id: int | None, action: str,
                 object_type: str, object_id: int | None = None, old: dict | None = None,
                 new: dict | None = None, reason: str | None = None) -> AuditEvent:
    event = AuditEvent(
        contest_id=contest_id, actor_id=actor_id, at=now(), action=action,
        object_type=object_type, object_id=object_id, old=old, new=new, reason=reason,
    )
    db.session.add(event)
    return event
