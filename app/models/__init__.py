"""All models, imported here so Alembic and the app see every table."""

from app.models.anonymity import AnonymityFinding
from app.models.api import ApiToken, Webhook, WebhookDelivery
from app.models.audit import AuditEvent
from app.models.contest import (
    Contest,
    ContestOrganiser,
    Criterion,
    FormField,
    Nomination,
    Round,
    TieBreak,
)
from app.models.documents import ProtocolDetails
from app.models.entry import Attachment, Entry, EntryRound
from app.models.funding import Fund, FundingPlan
from app.models.jury import Assignment, Conflict, Declaration, JuryExpertise, JuryMember
from app.models.reminders import ReminderOptOut, ReminderSent
from app.models.results import Award, RankingSnapshot
from app.models.review import Review, Score
from app.models.user import User

__all__ = [
    "Assignment", "Attachment", "AuditEvent", "Award", "Conflict", "Contest",
    "ContestOrganiser", "Criterion", "Declaration", "Entry", "EntryRound", "FormField",
    "JuryExpertise", "JuryMember", "Nomination", "RankingSnapshot", "Review", "Round",
    "Score", "TieBreak", "User",
    "ProtocolDetails",
    "ApiToken", "Webhook", "WebhookDelivery",
    "ReminderOptOut", "ReminderSent",
    "AnonymityFinding",
    "Fund", "FundingPlan",
]
