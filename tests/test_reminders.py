"""Scheduled reminders (`flask reminders send`): judges with unfinished reviews N days and 1 day
before judging closes, entrants with drafts before intake closes; each once, in the contest's
time zone, with an opt-out."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import pytest

from app.extensions import db
from app.services.reminders import schedule

# Judging closes on 20 May 2026 at 15:00 in Krasnoyarsk (08:00 UTC).
CLOSES = datetime(2026, 5, 20, 8, 0, tzinfo=UTC)


def _scene(make):
    contest = make.contest(timezone="Asia/Krasnoyarsk")
    round_ = make.round_(contest, intake=(CLOSES - timedelta(days=40), CLOSES - timedelta(days=3)),
                         judging=(CLOSES - timedelta(days=20), CLOSES))
    judge = make.user(name="Judge", locale="ru")
    make.jury_member(round_, judge)
    entry = make.entry(contest, rounds=[round_])
    make.assignment(round_, entry, judge)
    return contest, round_, judge


def test_due_at_is_nine_in_the_contests_zone():
    # three days before 20 May is 17 May, 09:00 in Krasnoyarsk = 02:00 UTC
    assert schedule.due_at(CLOSES, "Asia/Krasnoyarsk", 3) == datetime(2026, 5, 17, 2, 0, tzinfo=UTC)
    assert schedule.due_at(CLOSES, "Europe/Moscow", 1) == datetime(2026, 5, 19, 6, 0, tzinfo=UTC)


def test_judges_reminded_three_days_and_one_day_before_each_once(app, make, freeze, outbox):
    freeze(CLOSES - timedelta(days=10))
    _contest, _round, judge = _scene(make)
    outbox.clear()
    # 17 May 01:59 UTC is 08:59 in Krasnoyarsk: not yet
    assert schedule.send_due_reminders(moment=datetime(2026, 5, 17, 1, 59, tzinfo=UTC))["judging"] == 0
    at = datetime(2026, 5, 17, 2, 0, tzinfo=UTC)
    assert schedule.send_due_reminders(moment=at)["judging"] == 1
    assert outbox[-1]["to"] == judge.email and "20 мая 2026 г., 15:00 (МСК+4)" in outbox[-1]["body"]
    # run again every hour: nothing new until the one-day slot
    assert schedule.send_due_reminders(moment=at + timedelta(hours=1))["judging"] == 0
    assert schedule.send_due_reminders(moment=datetime(2026, 5, 19, 2, 0, tzinfo=UTC))["judging"] == 1
    assert schedule.send_due_reminders(moment=datetime(2026, 5, 19, 5, 0, tzinfo=UTC))["judging"] == 0
    # after the window closes: nothing
    assert schedule.send_due_reminders(moment=CLOSES + timedelta(minutes=1))["judging"] == 0
    assert len([m for m in outbox if m["to"] == judge.email]) == 2


def test_a_missed_slot_sends_only_the_latest(app, make, freeze, outbox):
    freeze(CLOSES - timedelta(days=10))
    _scene(make)
    outbox.clear()
    assert schedule.send_due_reminders(moment=datetime(2026, 5, 19, 3, 0, tzinfo=UTC))["judging"] == 1
    assert schedule.send_due_reminders(moment=datetime(2026, 5, 19, 4, 0, tzinfo=UTC))["judging"] == 0
    assert len(outbox) == 1


def test_opt_out_link_stops_reminders(client, make, freeze, outbox):
    freeze(CLOSES - timedelta(days=10))
    _contest, _round, judge = _scene(make)
    outbox.clear()
    schedule.send_due_reminders(moment=datetime(2026, 5, 17, 3, 0, tzinfo=UTC))
    db.session.commit()
    link = re.search(r"http\S+/auth/reminders/stop/\S+", outbox[-1]["body"]).group(0)
    path = urlparse(link).path
    page = client.get(path).get_data(as_text=True)
    assert 'data-testid="reminders-stop"' in page  # a GET changes nothing
    assert schedule.send_due_reminders(moment=datetime(2026, 5, 19, 3, 0, tzinfo=UTC))["judging"] == 1
    assert "reminders-stopped" in client.post(path).get_data(as_text=True)
    db.session.commit()
    assert 'data-testid="reminders-bad-link"' in client.get("/auth/reminders/stop/forged").get_data(as_text=True)
    # a later round's reminder is not sent to someone who opted out
    assert schedule.send_due_reminders(moment=datetime(2026, 5, 19, 5, 0, tzinfo=UTC))["judging"] == 0


def test_entrants_with_drafts_reminded_before_intake_closes(app, make, freeze, outbox):
    freeze(CLOSES - timedelta(days=30))
    contest = make.contest(timezone="Europe/Moscow")
    round_ = make.round_(contest, intake=(CLOSES - timedelta(days=40), CLOSES),
                         judging=(CLOSES + timedelta(days=1), CLOSES + timedelta(days=20)))
    drafter = make.user(name="Черновик", locale="ru")
    make.entry(contest, entrant=drafter, status="draft", eligible=None, title="Мой черновик")
    make.entry(contest, status="submitted")
    outbox.clear()
    sent = schedule.send_due_reminders(moment=datetime(2026, 5, 17, 6, 0, tzinfo=UTC))
    assert sent == {"judging": 0, "draft": 1} and round_.id
    assert outbox[-1]["to"] == drafter.email and "Мой черновик" in outbox[-1]["body"]
    assert schedule.send_due_reminders(moment=datetime(2026, 5, 17, 7, 0, tzinfo=UTC))["draft"] == 0


def test_cli_sends_due_reminders(app, make, freeze, outbox):
    freeze(CLOSES - timedelta(days=2))
    _scene(make)
    outbox.clear()
    result = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    assert "1 to judges" in result.output and len(outbox) == 1
    assert "1 to judges" not in app.test_cli_runner().invoke(args=["reminders", "send"]).output


def test_next_tick_is_the_next_five_past():
    assert schedule.next_tick(datetime(2026, 5, 17, 1, 59, tzinfo=UTC)) == datetime(2026, 5, 17, 2, 5, tzinfo=UTC)
    assert schedule.next_tick(datetime(2026, 5, 17, 2, 5, tzinfo=UTC)) == datetime(2026, 5, 17, 3, 5, tzinfo=UTC)


def test_schedule_without_a_queue_says_to_use_cron(app):
    result = app.test_cli_runner().invoke(args=["reminders", "schedule"])
    assert result.exit_code != 0 and "REDIS_URL is not set" in result.output


@pytest.fixture
def redis_queue(app):
    from tests.test_production import queue_on_local_redis

    yield from queue_on_local_redis(app)


def test_reminders_run_hourly_on_the_queue_scheduler(app, make, freeze, outbox, redis_queue):
    """Issue 21: with REDIS_URL the hourly run is one self-rescheduling job on RQ's scheduler;
    its run (here in-process, as the worker would) sends what is due once and schedules the next."""
    from rq.job import Job
    from rq.registry import ScheduledJobRegistry

    from app.services.platform import jobs

    app.config["TESTING_SYNC_MAIL"] = True
    moment = freeze(datetime(2026, 5, 17, 2, 30, tzinfo=UTC))
    _scene(make)
    db.session.commit()
    outbox.clear()
    registry = ScheduledJobRegistry(queue=redis_queue)
    for _ in range(2):  # started twice: still one job
        result = app.test_cli_runner().invoke(args=["reminders", "schedule", "--days", "3,1"])
        assert result.exit_code == 0, result.output
    assert registry.get_job_ids() == [schedule.TICK_JOB_ID]
    assert registry.get_scheduled_time(schedule.TICK_JOB_ID) == datetime(2026, 5, 17, 3, 5, tzinfo=UTC)
    job = Job.fetch(schedule.TICK_JOB_ID, connection=redis_queue.connection)
    assert (job.func, job.args) == (jobs.perform, (schedule.TICK, [3, 1]))
    freeze(moment + timedelta(minutes=35))
    assert jobs.perform(*job.args) == {"judging": 1, "draft": 0}
    assert len(outbox) == 1
    assert registry.get_scheduled_time(schedule.TICK_JOB_ID) == datetime(2026, 5, 17, 4, 5, tzinfo=UTC)
    freeze(moment + timedelta(hours=1, minutes=35))
    assert jobs.perform(*job.args) == {"judging": 0, "draft": 0}  # each reminder once
    assert len(outbox) == 1 and registry.get_job_ids() == [schedule.TICK_JOB_ID]
