"""Judges' side of the jury: invitations, the declaration, conflicts, access and blind rounds."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.extensions import db
from app.models import Assignment, Conflict, Declaration, JuryMember, Review, User
from app.services.jury import members as jury
from tests.factories import NOW, PASSWORD


def _invitation_link(outbox) -> str:
    match = re.search(r"https?://\S*/jury/invitation/\S+", outbox[-1]["body"])
    assert match, outbox[-1]["body"]
    return match.group(0).replace("http://localhost", "")


@pytest.fixture
def contest_round(make):
    organiser = make.user(name="Olga Organiser", email="olga@example.org")
    contest = make.contest(organiser=organiser)
    contest.declaration_en = "I promise to be fair.\nAnd silent."
    contest.declaration_ru = "Обещаю быть честным."
    round_obj = make.round_(contest, reviews_per_entry=1, blind=True)
    return contest, round_obj, organiser


def test_invite_judge_sends_a_link_that_shows_the_invitation(make, contest_round, client, outbox):
    contest, round_obj, _ = contest_round
    member = jury.invite_judge(round_=round_obj, email="Expert@Example.org")
    db.session.commit()
    assert member.email == "expert@example.org"
    assert outbox[-1]["to"] == "expert@example.org"
    page = client.get(_invitation_link(outbox)).get_data(as_text=True)
    assert "Invitation to the jury" in page
    assert "/auth/login?next=/jury/invitation/" in page


def test_invitation_opens_in_its_language_for_a_logged_out_invitee(make, contest_round, client, outbox, app):
    """Issue 21: the invitation e-mail's link opens the platform in the e-mail's language; the
    registration that follows is in it too, and the new account keeps it."""
    contest, round_obj, _ = contest_round
    with force_locale("ru"):
        jury.invite_judge(round_=round_obj, email="novy@example.org")
    db.session.commit()
    link = _invitation_link(outbox)
    assert "lang=ru" in link and "Приглашение" in outbox[-1]["subject"]
    client.get("/", headers={"Accept-Language": "en"})
    page = client.get(link, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Войти" in page and "Log in" not in page
    register = client.get(f"/auth/register?email=novy@example.org&next={link.split('?')[0]}",
                          headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'value="novy@example.org"' in register and "Зарегистр" in register
    client.post("/auth/register", data={"email": "novy@example.org", "name": "Новый", "password": "longenough",
                                        "password2": "longenough"}, headers={"Accept-Language": "en"})
    user = db.session.scalar(sa.select(User).where(User.email == "novy@example.org"))
    assert user.locale == "ru"
    # an unknown language in the link changes nothing
    assert "Log in" in make_client_page(app, link.replace("lang=ru", "lang=xx"))


def make_client_page(app, path):
    return app.test_client().get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_invitation_unknown_token_is_404(client, app):
    assert client.get("/jury/invitation/nope").status_code == 404
    assert client.post("/jury/invitation/nope/accept").status_code == 404


def test_invitation_accept_anonymous_goes_to_login_and_back(make, contest_round, client, login):
    contest, round_obj, _ = contest_round
    person = make.user(email="judge@example.org")
    member = jury.invite_judge(round_=round_obj, email=person.email, send=False)
    db.session.commit()
    response = client.post(f"/jury/invitation/{member.token}/accept")
    assert response.status_code == 302
    assert "/auth/login?next=/jury/invitation/" in response.headers["Location"]
    response = client.post("/auth/login", data={"email": person.email, "password": PASSWORD,
                                                 "next": f"/jury/invitation/{member.token}"})
    assert response.headers["Location"] == f"/jury/invitation/{member.token}"


def test_invitation_accept_logged_in_then_declaration(make, contest_round, client, login):
    contest, round_obj, _ = contest_round
    person = login(make.user(email="judge@example.org"))
    member = jury.invite_judge(round_=round_obj, email=person.email, send=False)
    db.session.commit()
    response = client.post(f"/jury/invitation/{member.token}/accept")
    assert response.status_code == 302
    assert f"/jury/{contest.slug}/declaration" in response.headers["Location"]
    db.session.expire_all()
    member = db.session.get(JuryMember, member.id)
    assert (member.status, member.user_id) == ("accepted", person.id)
    assert member.responded_at is not None


def test_invitation_accept_by_new_account_confirms_invited_address(make, contest_round, client):
    contest, round_obj, _ = contest_round
    member = jury.invite_judge(round_=round_obj, email="new@example.org", send=False)
    db.session.commit()
    client.post("/auth/register", data={"email": "new@example.org", "name": "New Judge", "password": "longenough",
                                        "password2": "longenough", "next": f"/jury/invitation/{member.token}"})
    # Registration signs nobody in (its answer must not tell whether the address had an account).
    client.post("/auth/login", data={"email": "new@example.org", "password": "longenough"})
    client.post(f"/jury/invitation/{member.token}/accept")
    db.session.expire_all()
    member = db.session.get(JuryMember, member.id)
    assert member.status == "accepted"
    assert member.user.is_confirmed


def test_invitation_decline_needs_no_account(make, contest_round, client):
    contest, round_obj, _ = contest_round
    member = jury.invite_judge(round_=round_obj, email="no@example.org", send=False)
    db.session.commit()
    response = client.post(f"/jury/invitation/{member.token}/decline", follow_redirects=True)
    assert "You have declined the invitation" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(JuryMember, member.id).status == "declined"


def test_invite_an_entrant_of_the_contest_is_refused(make, contest_round):
    contest, round_obj, _ = contest_round
    entrant = make.user(email="entrant@example.org")
    make.entry(contest, entrant=entrant, status="draft")
    with pytest.raises(jury.JuryError, match="has an application in this contest"):
        jury.invite_judge(round_=round_obj, email="ENTRANT@example.org", send=False)


def test_invitation_accept_by_an_entrant_is_refused(make, contest_round, client, login):
    contest, round_obj, _ = contest_round
    member = jury.invite_judge(round_=round_obj, email="someone@example.org", send=False)
    db.session.commit()
    entrant = login(make.user(email="entrant@example.org"))
    make.entry(contest, entrant=entrant)
    page = client.get(f"/jury/invitation/{member.token}").get_data(as_text=True)
    assert "You have an application in this contest, so you cannot be a judge in it." in page
    response = client.post(f"/jury/invitation/{member.token}/accept", follow_redirects=True)
    assert "cannot be a judge in it" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(JuryMember, member.id).status == "invited"


def test_invitation_answered_from_another_account_cannot_be_taken(make, contest_round, client, login):
    contest, round_obj, _ = contest_round
    member = make.jury_member(round_obj)
    login(make.user())
    client.post(f"/jury/invitation/{member.token}/accept")
    client.post(f"/jury/invitation/{member.token}/decline")
    db.session.expire_all()
    member = db.session.get(JuryMember, member.id)
    assert (member.status, member.user_id) == ("accepted", member.user.id)


def test_parse_email_list_accepts_lines_commas_and_names(app):
    valid, invalid = jury.parse_email_list("a@example.org\nB@Example.org, Ann <c@example.org>; not-an-address\n"
                                           "a@example.org")
    assert valid == ["a@example.org", "b@example.org", "c@example.org"]
    assert invalid == ["Ann", "not-an-address"]


def test_declaration_sign_records_time_and_text(make, contest_round, client, login, freeze):
    contest, round_obj, _ = contest_round
    freeze(NOW)
    member = make.jury_member(round_obj, signed=False)
    login(member.user)
    page = client.get(f"/jury/{contest.slug}/declaration").get_data(as_text=True)
    assert "I promise to be fair." in page
    response = client.post(f"/jury/{contest.slug}/declaration", data={"agree": "y", "next": "/elsewhere"})
    assert response.headers["Location"] == "/elsewhere"
    declaration = db.session.get(Declaration, (contest.id, member.user_id))
    assert (declaration.signed_at, declaration.text) == (NOW, "I promise to be fair.\nAnd silent.")
    assert jury.judge_access_problem(member.user, round_obj) is None


def test_declaration_unticked_is_refused_at_the_field(make, contest_round, client, login):
    contest, round_obj, _ = contest_round
    member = make.jury_member(round_obj, signed=False)
    login(member.user)
    page = client.post(f"/jury/{contest.slug}/declaration", data={}).get_data(as_text=True)
    assert "Tick the box to sign the declaration." in page
    assert db.session.get(Declaration, (contest.id, member.user_id)) is None


def test_declaration_page_refuses_non_judges(make, contest_round, client, login):
    contest, round_obj, _ = contest_round
    assert client.get(f"/jury/{contest.slug}/declaration").status_code == 302
    invited = make.user()
    jury.invite_judge(round_=round_obj, email=invited.email, send=False)
    db.session.commit()
    login(invited)
    assert client.get(f"/jury/{contest.slug}/declaration").status_code == 403
    assert client.post(f"/jury/{contest.slug}/declaration", data={"agree": "y"}).status_code == 403


def test_judge_access_problem_names_what_is_missing(make, contest_round):
    contest, round_obj, _ = contest_round
    unsigned = make.jury_member(round_obj, signed=False).user
    stranger = make.user()
    assert jury.judge_access_problem(stranger, round_obj) == "You are not a member of this round's jury."
    assert jury.judge_access_problem(unsigned, round_obj) == (
        "Sign the declaration of conflicts of interest and confidentiality first.")


# ---------------------------------------------------------------------------------------------
# Conflicts declared by the judge.
# ---------------------------------------------------------------------------------------------

def test_declare_conflict_page_withdraws_the_entry_and_tells_organisers(make, contest_round, client, login,
                                                                        outbox):
    contest, round_obj, organiser = contest_round
    member = make.jury_member(round_obj)
    round_obj.titles_safe = True  # the organiser has said the round's titles name no one
    entry = make.entry(contest, rounds=[round_obj], title="River clean-up")
    make.assignment(round_obj, entry, member.user)
    db.session.add(Review(round_id=round_obj.id, entry_id=entry.id, judge_id=member.user_id, updated_at=NOW))
    db.session.commit()
    login(member.user)
    url = f"/jury/{contest.slug}/rounds/{round_obj.id}/entries/{entry.id}/conflict"
    assert "River clean-up" in client.get(url).get_data(as_text=True)
    empty = client.post(url, data={"reason": ""})
    assert "Say briefly why" in empty.get_data(as_text=True)
    outbox.clear()
    response = client.post(url, data={"reason": "I chair their board"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Review)) == 0
    conflict = db.session.scalar(sa.select(Conflict))
    assert (conflict.source, conflict.reason) == ("judge", "I chair their board")
    assert [m["to"] for m in outbox] == [organiser.email]
    # The entry is no longer theirs.
    assert client.get(url).status_code == 404


def test_declare_conflict_page_refuses_others(make, contest_round, client, login):
    contest, round_obj, _ = contest_round
    judge = make.jury_member(round_obj)
    other_judge = make.jury_member(round_obj)
    entry = make.entry(contest, rounds=[round_obj])
    make.assignment(round_obj, entry, other_judge.user)
    url = f"/jury/{contest.slug}/rounds/{round_obj.id}/entries/{entry.id}/conflict"
    assert client.get(url).status_code == 302  # anonymous: log in first
    login(judge.user)
    assert client.get(url).status_code == 404  # not assigned to them
    assert client.post(url, data={"reason": "x"}).status_code == 404
    login(make.user())
    assert client.get(url).status_code == 403  # not on the jury
    other = make.contest()
    assert client.get(f"/jury/{other.slug}/rounds/{round_obj.id}/entries/{entry.id}/conflict").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 1


def test_declare_conflict_page_asks_for_the_declaration_first(make, contest_round, client, login):
    contest, round_obj, _ = contest_round
    member = make.jury_member(round_obj, signed=False)
    entry = make.entry(contest, rounds=[round_obj])
    make.assignment(round_obj, entry, member.user)
    login(member.user)
    url = f"/jury/{contest.slug}/rounds/{round_obj.id}/entries/{entry.id}/conflict"
    response = client.get(url)
    assert response.status_code == 302
    assert f"/jury/{contest.slug}/declaration" in response.headers["Location"]


# ---------------------------------------------------------------------------------------------
# Blind rounds: no judge-facing page of this area shows who the entrant is.
# ---------------------------------------------------------------------------------------------

def _judge_pages(client, contest, round_obj, entry, member):
    return {
        "invitation": client.get(f"/jury/invitation/{member.token}"),
        "declaration": client.get(f"/jury/{contest.slug}/declaration"),
        "conflict": client.get(f"/jury/{contest.slug}/rounds/{round_obj.id}/entries/{entry.id}/conflict"),
    }


@pytest.mark.parametrize("blind", [True, False])
def test_blind_round_judge_pages_hide_the_entrant(make, contest_round, client, login, outbox, blind):
    contest, round_obj, _ = contest_round
    round_obj.blind = blind
    entrant = make.user(name="Zinaida Entrantova", email="zinaida@secret.example")
    entry = make.entry(contest, entrant=entrant, rounds=[round_obj], title="Green yards",
                       organisation="Fund Greenhouse Kraslabs", inn="2466000000")
    member = make.jury_member(round_obj)
    from app.services.jury import assignment as assigning

    outbox.clear()
    assigning.assign_round(round_=round_obj)
    db.session.commit()
    login(member.user)
    pages = _judge_pages(client, contest, round_obj, entry, member)
    secrets = ("Zinaida", "Entrantova", "zinaida@secret.example", "Greenhouse Kraslabs", "2466000000")
    texts = {name: response.get_data(as_text=True) for name, response in pages.items()}
    texts["assignment e-mail"] = outbox[-1]["body"]
    assert {name: r.status_code for name, r in pages.items()} == {
        "invitation": 200, "declaration": 200, "conflict": 200}
    # A blind round shows "Application No. N" until the organiser says titles are safe or checks it.
    assert ("Green yards" in texts["conflict"]) is not blind
    assert ("Green yards" in texts["assignment e-mail"]) is not blind
    leaks = {name: [s for s in secrets if s in text] for name, text in texts.items()}
    if blind:
        assert leaks == {name: [] for name in texts}
    else:
        assert "Greenhouse Kraslabs" in texts["conflict"]
