"""Which reminders are due, and sending each once (`flask reminders send`, run hourly by cron).

A reminder for a window closing on day D (in the contest's time zone) is due from 09:00 local
time on day D − N, for each N in `days_before` (default 3 and 1), until the window closes. A
person gets each (kind, round, N) once — the unique row in `reminder_sent` — and, when the job
missed a slot, only the latest one due. Anyone who followed a reminder's opt-out link gets none."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from app.extensions import db
from app.models import Entry, ReminderOptOut, ReminderSent, Round, User
from app.services.platform.clock import now
from app.services.platform.links import external_url
from app.services.platform.mail import send_mail

DEFAULT_DAYS_BEFORE = (3, 1)
SEND_AT = time(9, 0)
_SALT = "reminders-opt-out"


def due_at(closes_at: datetime, timezone: str, days_before: int) -> datetime:
    """09:00 in the contest's zone, `days_before` calendar days before the closing day (UTC)."""
    zone = ZoneInfo(timezone)
    closing_day = closes_at.astimezone(zone).date()
    local = datetime.combine(closing_day - timedelta(days=days_before), SEND_AT, tzinfo=zone)
    return local.astimezone(ZoneInfo("UTC"))


def due_slots(closes_at: datetime | None, timezone: str, days_before, moment: datetime) -> list[int]:
    """The slots (days before) whose time has come while the window is still open."""
    if closes_at is None or moment >= closes_at:
        return []
    return sorted((n for n in days_before if due_at(closes_at, timezone, n) <= moment), reverse=True)


def opt_out_token(user: User) -> str:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT).dumps(user.id)


def user_from_token(token: str) -> User | None:
    try:
        user_id = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT).loads(token)
    except BadSignature:
        return None
    return db.session.get(User, user_id) if isinstance(user_id, int) else None


def opt_out(user: User) -> None:
    if db.session.get(ReminderOptOut, user.id) is None:
        db.session.add(ReminderOptOut(user_id=user.id, created_at=now()))
        db.session.flush()


def _claim(kind: str, round_: Round, user: User, slots: list[int], moment: datetime) -> bool:
    """Marks every due slot as sent; True when the latest one had not been sent yet."""
    taken = set(db.session.scalars(sa.select(ReminderSent.days_before).where(
        ReminderSent.kind == kind, ReminderSent.round_id == round_.id, ReminderSent.user_id == user.id)))
    if slots[-1] in taken:
        return False
    for slot in slots:
        if slot not in taken:
            db.session.add(ReminderSent(kind=kind, round_id=round_.id, user_id=user.id, days_before=slot,
                                        sent_at=moment))
    db.session.flush()
    return True


def _opted_out() -> set[int]:
    return set(db.session.scalars(sa.select(ReminderOptOut.user_id)))


def _mail(user: User, subject_args: dict, template: str, **context) -> None:
    with force_locale(user.locale):
        subject = (_("Reminder: your reviews in «%(contest)s» are due %(deadline)s", **subject_args)
                   if template == "mail/reminder_judging.txt" else
                   _("Reminder: your draft application to «%(contest)s» is not submitted yet", **subject_args))
        send_mail(to=user.email, subject=subject, body=render_template(
            template, user=user, stop_link=external_url("auth.reminders_stop", token=opt_out_token(user)),
            **context))


def send_due_reminders(*, moment: datetime | None = None, days_before=DEFAULT_DAYS_BEFORE) -> dict[str, int]:
    """Sends the reminders due now; returns how many of each kind went out."""
    from app.services.scoring import progress

    moment = moment or now()
    skip = _opted_out()
    sent = {"judging": 0, "draft": 0}
    rounds = db.session.scalars(sa.select(Round).where(
        sa.or_(Round.judging_closes_at > moment, Round.intake_closes_at > moment))).all()
    for round_ in rounds:
        contest = round_.contest
        opened = round_.judging_opens_at is not None and round_.judging_opens_at <= moment
        slots = due_slots(round_.judging_closes_at, contest.timezone, days_before, moment) if opened else []
        if slots and round_.finalised_at is None:
            for row in progress.judges_with_work_left(round_):
                if row.judge.id in skip or not _claim("judging", round_, row.judge, slots, moment):
                    continue
                with force_locale(row.judge.locale):
                    from app.i18n import format_local_datetime

                    deadline = format_local_datetime(round_.judging_closes_at, contest.timezone)
                _mail(row.judge, {"contest": contest.loc("title"), "deadline": deadline},
                      "mail/reminder_judging.txt", contest=contest, round=round_, left=row.left, due=row.due,
                      link=external_url("jury.dashboard"))
                sent["judging"] += 1
        is_call = contest.rounds and contest.rounds[0].id == round_.id
        opened = round_.intake_opens_at is not None and round_.intake_opens_at <= moment
        slots = due_slots(round_.intake_closes_at, contest.timezone, days_before, moment) if opened else []
        if slots and is_call:
            drafts = db.session.scalars(sa.select(Entry).where(
                Entry.contest_id == contest.id, Entry.status == "draft")).all()
            for entrant_id in sorted({e.entrant_id for e in drafts}):
                entrant = db.session.get(User, entrant_id)
                if entrant_id in skip or not _claim("draft", round_, entrant, slots, moment):
                    continue
                mine = [e for e in drafts if e.entrant_id == entrant_id]
                _mail(entrant, {"contest": contest.loc("title")}, "mail/reminder_draft.txt",
                      contest=contest, round=round_, entries=mine,
                      link=external_url("apply.my_entries"))
                sent["draft"] += 1
    return sent


# --- on the job queue's scheduler (REDIS_URL set, `rq worker --with-scheduler`) -----------------
# One job, `reminders-tick`, runs send_due_reminders every hour at :05 and schedules its next run
# itself; its fixed id means there is never more than one waiting, however often it is started.

TICK_JOB_ID = "reminders-tick"
TICK = "app.services.reminders.schedule.scheduled_tick"
TICK_MINUTE = 5


def next_tick(moment: datetime) -> datetime:
    """The next :05 of an hour strictly after `moment` (UTC)."""
    at = moment.astimezone(ZoneInfo("UTC")).replace(minute=TICK_MINUTE, second=0, microsecond=0)
    return at if at > moment else at + timedelta(hours=1)


def schedule_next_tick(days_before=DEFAULT_DAYS_BEFORE, *, moment: datetime | None = None) -> datetime:
    """Puts the next tick on the queue's scheduler; returns when it runs. Needs REDIS_URL."""
    from app.services.platform import jobs

    if not jobs.queue_enabled():
        raise RuntimeError("REDIS_URL is not set: run `flask reminders send` from cron instead")
    at = next_tick(moment or now())
    jobs.get_queue().enqueue_at(at, jobs.perform, TICK, list(days_before), job_id=TICK_JOB_ID,
                                description=TICK)
    return at


def scheduled_tick(days_before=DEFAULT_DAYS_BEFORE) -> dict[str, int]:
    """The queue's hourly job (run by jobs.perform, which commits): the reminders due now, then
    the next tick. A failure here leaves the tick unscheduled: `flask reminders schedule` again,
    or the cron line, picks it up (each reminder still goes out once)."""
    sent = send_due_reminders(days_before=tuple(days_before))
    schedule_next_tick(days_before)
    return sent
