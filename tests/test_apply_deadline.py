"""The deadline: enforced on the server to the second, in the contest's time zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.forms_common import to_utc
from app.models import Entry
from app.services.intake import entries
from tests import entries_helpers as h

# 23:59:59 on 30 April in Vladivostok (UTC+10) is 13:59:59 UTC.
DEADLINE_LOCAL = datetime(2026, 4, 30, 23, 59, 59)
TIMEZONE = "Asia/Vladivostok"


def _setup(make, freeze, login):
    deadline = to_utc(DEADLINE_LOCAL, TIMEZONE)
    assert deadline == datetime(2026, 4, 30, 13, 59, 59, tzinfo=UTC)
    freeze(deadline - timedelta(days=1))
    contest = make.contest(organiser=make.user(), timezone=TIMEZONE)
    make.round_(contest, intake=(deadline - timedelta(days=30), deadline))
    h.add_form(contest)
    entrant = login(make.user())
    body = h.answers(contest, action="save")
    body["a_presentation"] = h.upload(h.pdf_bytes(), "p.pdf")
    return contest, deadline, entrant, body


def _entry(user) -> Entry:
    return db.session.scalar(sa.select(Entry).where(Entry.entrant_id == user.id))


@pytest.mark.parametrize(("offset", "accepted"), [(-1, True), (0, True), (1, False)])
def test_submit_around_the_deadline(client, make, freeze, login, offset, accepted):
    contest, deadline, entrant, body = _setup(make, freeze, login)
    client.post(f"/apply/{contest.slug}/new", data=body, content_type="multipart/form-data")
    freeze(deadline + timedelta(seconds=offset))
    response = client.post(f"/apply/entries/{_entry(entrant).id}/edit",
                           data=h.answers(contest, action="submit"), content_type="multipart/form-data")
    entry = _entry(entrant)
    assert response.status_code == 302
    assert (entry.status == "submitted") is accepted
    if not accepted:
        assert entry.number is None
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "The deadline has passed" in page


def test_new_application_after_deadline_refused(client, make, freeze, login):
    contest, deadline, entrant, body = _setup(make, freeze, login)
    freeze(deadline + timedelta(seconds=1))
    response = client.post(f"/apply/{contest.slug}/new", data=body, content_type="multipart/form-data")
    assert response.status_code == 302
    assert _entry(entrant) is None
    assert client.get(f"/apply/{contest.slug}/new").status_code == 302


def _submitted(client, contest, body, entrant, freeze, deadline):
    body = dict(body, action="submit")
    client.post(f"/apply/{contest.slug}/new", data=body, content_type="multipart/form-data")
    entry = _entry(entrant)
    assert entry.status == "submitted"
    return entry


def test_withdraw_after_deadline_refused(client, make, freeze, login):
    contest, deadline, entrant, body = _setup(make, freeze, login)
    entry = _submitted(client, contest, body, entrant, freeze, deadline)
    freeze(deadline + timedelta(seconds=1))
    page = client.post(f"/apply/entries/{entry.id}/withdraw", follow_redirects=True).get_data(as_text=True)
    assert "The deadline has passed" in page
    assert _entry(entrant).status == "submitted"


def test_withdraw_at_the_last_second_accepted(client, make, freeze, login):
    contest, deadline, entrant, body = _setup(make, freeze, login)
    entry = _submitted(client, contest, body, entrant, freeze, deadline)
    freeze(deadline)
    client.post(f"/apply/entries/{entry.id}/withdraw")
    assert _entry(entrant).status == "withdrawn"


def test_edit_after_deadline_refused(client, make, freeze, login):
    contest, deadline, entrant, body = _setup(make, freeze, login)
    entry = _submitted(client, contest, body, entrant, freeze, deadline)
    freeze(deadline + timedelta(seconds=1))
    assert client.get(f"/apply/entries/{entry.id}/edit").status_code == 302
    response = client.post(f"/apply/entries/{entry.id}/edit", content_type="multipart/form-data",
                           data=h.answers(contest, title="Too late", action="submit"))
    assert response.status_code == 302
    assert _entry(entrant).title == "Школа юного эколога"


def test_upload_and_remove_after_deadline_refused(client, make, freeze, login):
    contest, deadline, entrant, body = _setup(make, freeze, login)
    client.post(f"/apply/{contest.slug}/new", data=body, content_type="multipart/form-data")
    entry = _entry(entrant)
    attachment_id = entry.attachments[0].id
    freeze(deadline + timedelta(seconds=1))
    late = h.answers(contest, remove=str(attachment_id))
    late["a_photos"] = h.upload(h.png_bytes(), "late.png")
    client.post(f"/apply/entries/{entry.id}/edit", data=late, content_type="multipart/form-data")
    assert [a.id for a in _entry(entrant).attachments] == [attachment_id]


def test_services_refuse_after_deadline_too(app, make, freeze, login, client):
    contest, deadline, entrant, body = _setup(make, freeze, login)
    entry = _submitted(client, contest, body, entrant, freeze, deadline)
    freeze(deadline + timedelta(seconds=1))
    with pytest.raises(entries.DeadlineError):
        entries.withdraw_entry(entry, actor=entrant)
    with pytest.raises(entries.DeadlineError):
        entries.submit_entry(entry, actor=entrant)
    with pytest.raises(entries.DeadlineError):
        entries.remove_attachment(entry.attachments[0], actor=entrant)


def test_after_deadline_entry_is_read_only_with_status(client, make, freeze, login):
    contest, deadline, entrant, body = _setup(make, freeze, login)
    entry = _submitted(client, contest, body, entrant, freeze, deadline)
    freeze(deadline + timedelta(seconds=1))
    page = client.get(f"/apply/entries/{entry.id}/").get_data(as_text=True)
    assert 'data-testid="read-only"' in page
    assert re.search(r"April 30, 2026, 11:59\W+PM \(MSK\+7\)", page)
    assert 'data-testid="edit"' not in page and 'data-testid="withdraw"' not in page
    assert ">Submitted</span>" in page
    listing = client.get("/apply/").get_data(as_text=True)
    assert "Continue" not in listing and f"/apply/entries/{entry.id}/edit" not in listing


def test_finalists_may_add_material_in_a_later_intake_window(app, make, freeze, login, client):
    contest, deadline, entrant, body = _setup(make, freeze, login)
    entry = _submitted(client, contest, body, entrant, freeze, deadline)
    later = make.round_(contest, key="final", intake=(deadline + timedelta(days=5), deadline + timedelta(days=9)),
                        judging=(deadline + timedelta(days=6), deadline + timedelta(days=12)))
    outsider = make.entry(contest)
    freeze(deadline + timedelta(days=6))
    assert entries.editing_round(entry) is None
    from app.models import EntryRound

    db.session.add(EntryRound(entry_id=entry.id, round_id=later.id, added_at=deadline))
    db.session.commit()
    assert entries.editing_round(entry).id == later.id
    assert entries.editing_round(outsider) is None
    page = client.get(f"/apply/entries/{entry.id}/edit").get_data(as_text=True)
    assert 'data-testid="submit"' in page
