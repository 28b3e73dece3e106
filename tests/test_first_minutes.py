"""The first ten minutes (issue 21): a draft contest seen only by its organisers until published,
home cards with the stage and the next deadline, and the demo's second, open call."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Contest
from app.services.setup import contests
from tests.factories import NOW


def test_a_new_contest_is_a_draft_until_its_organisers_publish_it(client, make, freeze, login):
    freeze(NOW)
    admin = make.user(is_admin=True)
    organiser = make.user(name="Olga")
    login(admin)
    client.post("/admin/contests/new", data={"slug": "quiet-2027", "title_ru": "Тихий конкурс",
                                             "title_en": "Quiet contest", "timezone": "Europe/Moscow"})
    contest = db.session.scalar(sa.select(Contest).where(Contest.slug == "quiet-2027"))
    assert contest is not None and contest.is_draft
    contests.appoint_organiser(contest, organiser)
    make.round_(contest)
    db.session.commit()

    visitor = make.user()
    login(visitor)
    assert "Quiet contest" not in client.get("/").get_data(as_text=True)
    assert client.get("/c/quiet-2027/").status_code == 404
    assert client.get("/apply/quiet-2027/new").status_code in (302, 403, 404)

    login(organiser)
    home = client.get("/").get_data(as_text=True)
    assert "Quiet contest" in home and "Draft: only organisers see it" in home
    assert client.get("/c/quiet-2027/").status_code == 200
    page = client.get("/manage/quiet-2027/").get_data(as_text=True)
    assert 'data-testid="contest-draft"' in page
    client.post("/manage/quiet-2027/announce")
    db.session.refresh(contest)
    assert not contest.is_draft
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "contest.announce"))

    login(visitor)
    home = client.get("/").get_data(as_text=True)
    assert "Quiet contest" in home and "Applications open" in home  # the stage and its deadline
    assert client.get("/c/quiet-2027/").status_code == 200


def test_visitors_cannot_publish_a_draft(client, make, freeze, login):
    freeze(NOW)
    contest = contests.create_contest(slug="hidden", title_ru="Скрытый", title_en="Hidden", draft=True)
    db.session.commit()
    login(make.user())
    assert client.post("/manage/hidden/announce").status_code in (403, 404)
    db.session.refresh(contest)
    assert contest.is_draft


def test_demo_seeds_a_second_open_call(app, freeze):
    from app.services.demo import seed_demo
    from app.services.demo.open_call import OPEN_CALL_SLUG
    from app.services.intake.entries import can_apply, is_call_open

    freeze(NOW)
    seed_demo()
    db.session.commit()
    call = db.session.scalar(sa.select(Contest).where(Contest.slug == OPEN_CALL_SLUG))
    assert call is not None and not call.is_draft and is_call_open(call)
    from app.services.platform import accounts

    person = accounts.create_user(email="new@example.org", name="Новичок", password="long-password-1",
                                  confirmed=True)
    db.session.flush()
    assert can_apply(person, call) is None


def test_registration_from_an_invitation_prefills_the_address(client):
    page = client.get("/auth/register?email=judge%40example.org&next=/jury/invitation/x").get_data(as_text=True)
    assert 'value="judge@example.org"' in page
