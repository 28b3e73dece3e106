"""Writing the audit log.

Events go straight to the table as rows (no ORM objects, ids not read back): the log is only
ever appended to and read by queries. `record_events` writes several in one INSERT; a judge's
submit records one per changed criterion.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent
from app.services.platform.clock import now


def record_event(*, contest_id: int | None, actor_id: int | None, action: str,
                 object_type: str, object_id: int | None = None, old: dict | None = None,
                 new: dict | None = None, reason: str | None = None) -> None:
    record_events([audit_row(contest_id=contest_id, actor_id=actor_id, action=action,
                             object_type=object_type, object_id=object_id, old=old, new=new, reason=reason)])


def audit_row(*, contest_id: int | None, actor_id: int | None, action: str, object_type: str,
              object_id: int | None = None, old: dict | None = None, new: dict | None = None,
              reason: str | None = None) -> dict:
    """One event for record_events, stamped now."""
    return {"contest_id": contest_id, "actor_id": actor_id, "at": now(), "action": action,
            "object_type": object_type, "object_id": object_id, "old": old, "new": new, "reason": reason}


def record_events(rows: list[dict]) -> None:
    """Writes audit_row()s in one statement, in the session's transaction."""
    if rows:
        db.session.execute(sa.insert(AuditEvent), rows)
