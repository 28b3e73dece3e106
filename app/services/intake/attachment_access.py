"""Who may download an entry's attachment, and as whom: the one decision the file route asks."""

from __future__ import annotations

from enum import Enum

from app.models import Attachment, User
from app.services.jury.members import judge_may_open_entry
from app.services.platform import permissions


class Reader(Enum):
    """As whom someone reads a file: a judge's copy may differ (blind rounds hide identities)."""

    ENTRANT = "entrant"
    ORGANISER = "organiser"
    JUDGE = "judge"


def attachment_reader(user: User | None, attachment: Attachment) -> Reader | None:
    """The entry's entrant, an organiser of its contest, or a judge whom the score page would let
    see the entry (an accepted member with a signed declaration, the entry assigned to them, no
    conflict declared with it); None for anyone else."""
    if user is None or not user.is_authenticated:
        return None
    entry = attachment.entry
    if entry.entrant_id == user.id:
        return Reader.ENTRANT
    if permissions.is_organiser(user, entry.contest):
        return Reader.ORGANISER
    if judge_may_open_entry(user.id, entry.id):
        return Reader.JUDGE
    return None
