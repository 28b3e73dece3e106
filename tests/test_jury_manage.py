"""Organiser pages of the jury: the list, invitations, the assignment page, access rules."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Assignment, AuditEvent, Conflict, JuryMember
from app.services.jury import members as jury


@pytest.fixture
def organised(make, login):
    organiser = make.user(name="Olga Organiser")
    contest = make.contest(organiser=organiser)
    round_obj = make.round_(contest, reviews_per_entry=2)
    login(organiser)
    return contest, round_obj, organiser


def test_jury_page_lists_members_with_status_expertise_and_load(make, organised, client):
    contest, round_obj, _ = organised
    nomination = contest.nominations[0]
    member = make.jury_member(round_obj, make.user(name="Anna Expert"), nominations=[nomination],
                              organisation="Fund Vector", max_load=7)
    jury.invite_judge(round_=round_obj, email="waiting@example.org", send=False)
    db.session.commit()
    make.assignment(round_obj, make.entry(contest, rounds=[round_obj]), member.user)
    response = client.get(f"/manage/{contest.slug}/jury")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in ("Anna Expert", "Accepted", "waiting@example.org", "Invited", "Nomination 1", "Fund Vector", ">7<",
                 "signed"):
        assert text in page
    assert f'data-testid="load-{member.id}">1<' in page
    assert 'aria-current="page" href="/manage/' in page  # the Jury tab is active


def test_jury_page_selects_a_round_and_404s_for_another_contests_round(make, organised, client):
    contest, round_obj, _ = organised
    second = make.round_(contest, key="final")
    make.jury_member(second, make.user(name="Final Judge"))
    assert "Final Judge" in client.get(f"/manage/{contest.slug}/jury?round={second.id}").get_data(as_text=True)
    assert "Final Judge" not in client.get(f"/manage/{contest.slug}/jury").get_data(as_text=True)
    foreign = make.round_(make.contest())
    assert client.get(f"/manage/{contest.slug}/jury?round={foreign.id}").status_code == 404


def test_jury_page_query_count_does_not_grow_with_members(make, organised, client, count_queries):
    contest, round_obj, _ = organised

    def add(count):
        for _ in range(count):
            member = make.jury_member(round_obj, nominations=contest.nominations[:2])
            make.assignment(round_obj, make.entry(contest, rounds=[round_obj]), member.user)

    add(2)
    with count_queries() as small:
        assert client.get(f"/manage/{contest.slug}/jury").status_code == 200
    add(18)
    with count_queries() as large:
        assert client.get(f"/manage/{contest.slug}/jury").status_code == 200
    assert small.count == large.count


def test_jury_page_refuses_non_organisers(make, organised, client, login):
    contest, round_obj, _ = organised
    member = make.jury_member(round_obj)
    urls = [("get", f"/manage/{contest.slug}/jury"),
            ("post", f"/manage/{contest.slug}/rounds/{round_obj.id}/jury/invite"),
            ("post", f"/manage/{contest.slug}/rounds/{round_obj.id}/jury/invite-list"),
            ("get", f"/manage/{contest.slug}/jury/members/{member.id}/edit"),
            ("post", f"/manage/{contest.slug}/jury/members/{member.id}/remove"),
            ("post", f"/manage/{contest.slug}/jury/members/{member.id}/resend"),
            ("get", f"/manage/{contest.slug}/rounds/{round_obj.id}/assign"),
            ("post", f"/manage/{contest.slug}/rounds/{round_obj.id}/assign/run"),
            ("post", f"/manage/{contest.slug}/rounds/{round_obj.id}/assign/extra"),
            ("post", f"/manage/{contest.slug}/rounds/{round_obj.id}/assign/notify"),
            ("post", f"/manage/{contest.slug}/rounds/{round_obj.id}/assignments/add"),
            ("post", f"/manage/{contest.slug}/rounds/{round_obj.id}/conflicts/add")]
    login(member.user)  # a judge of the contest, not an organiser
    assert {url: getattr(client, method)(url).status_code for method, url in urls} == {url: 403 for _, url in urls}
    client.post("/auth/logout")
    assert {getattr(client, method)(url).status_code for method, url in urls} == {302}
    # An organiser of another contest cannot reach this contest's member through their own slug.
    other_organiser = make.user()
    other = make.contest(organiser=other_organiser)
    login(other_organiser)
    assert client.get(f"/manage/{other.slug}/jury/members/{member.id}/edit").status_code == 404
    assert client.get(f"/manage/{other.slug}/rounds/{round_obj.id}/assign").status_code == 404
    assert db.session.get(JuryMember, member.id) is not None


def test_jury_invite_form_invites_with_expertise(make, organised, client, outbox):
    contest, round_obj, organiser = organised
    nomination = contest.nominations[1]
    response = client.post(f"/manage/{contest.slug}/rounds/{round_obj.id}/jury/invite", data={
        "email": "Ivan@Example.org", "organisation": "ООО Ромашка", "inn": "7701234567", "max_load": "12",
        "expertise": [str(nomination.id)]})
    assert response.status_code == 302
    member = db.session.scalar(sa.select(JuryMember))
    assert (member.email, member.organisation, member.inn, member.max_load, member.status) == (
        "ivan@example.org", "ООО Ромашка", "7701234567", 12, "invited")
    assert [e.nomination_id for e in member.expertise] == [nomination.id]
    assert outbox[-1]["to"] == "ivan@example.org"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "jury.invite"))
    assert event.actor_id == organiser.id


def test_jury_invite_form_errors_stay_at_the_field_and_keep_input(make, organised, client):
    contest, round_obj, _ = organised
    entrant = make.user(email="entrant@example.org")
    make.entry(contest, entrant=entrant)
    page = client.post(f"/manage/{contest.slug}/rounds/{round_obj.id}/jury/invite", data={
        "email": "entrant@example.org", "organisation": "Kept Org"}).get_data(as_text=True)
    assert "has an application in this contest and cannot be a judge in it" in page
    assert 'value="Kept Org"' in page
    page = client.post(f"/manage/{contest.slug}/rounds/{round_obj.id}/jury/invite", data={
        "email": "ok@example.org", "inn": "12ab", "max_load": "-1"}).get_data(as_text=True)
    assert "An INN has 10 or 12 digits." in page
    assert 'value="ok@example.org"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JuryMember)) == 0


def test_jury_invite_list_invites_valid_addresses_and_lists_the_rest(make, organised, client, outbox):
    contest, round_obj, _ = organised
    jury.invite_judge(round_=round_obj, email="dup@example.org", send=False)
    db.session.commit()
    outbox.clear()
    page = client.post(f"/manage/{contest.slug}/rounds/{round_obj.id}/jury/invite-list", data={
        "emails": "a@example.org\nb@example.org, dup@example.org\nnonsense",
        "list_expertise": [str(contest.nominations[0].id)]}).get_data(as_text=True)
    assert sorted(m["to"] for m in outbox) == ["a@example.org", "b@example.org"]
    assert "nonsense" in page and "already invited" in page
    emails = set(db.session.scalars(sa.select(JuryMember.email)))
    assert emails == {"a@example.org", "b@example.org", "dup@example.org"}


def test_jury_member_edit_and_remove(make, organised, client):
    contest, round_obj, _ = organised
    member = make.jury_member(round_obj)
    page = client.get(f"/manage/{contest.slug}/jury/members/{member.id}/edit").get_data(as_text=True)
    assert member.email in page
    response = client.post(f"/manage/{contest.slug}/jury/members/{member.id}/edit", data={
        "organisation": "New Org", "inn": "", "max_load": "3", "expertise": [str(contest.nominations[0].id)]})
    assert response.status_code == 302
    db.session.expire_all()
    member = db.session.get(JuryMember, member.id)
    assert (member.organisation, member.max_load, [e.nomination_id for e in member.expertise]) == (
        "New Org", 3, [contest.nominations[0].id])
    make.assignment(round_obj, make.entry(contest, rounds=[round_obj]), member.user)
    client.post(f"/manage/{contest.slug}/jury/members/{member.id}/remove")
    assert db.session.get(JuryMember, member.id) is not None  # has work: refused
    db.session.execute(sa.delete(Assignment))
    db.session.commit()
    member_id = member.id
    client.post(f"/manage/{contest.slug}/jury/members/{member_id}/remove")
    db.session.expire_all()
    assert db.session.get(JuryMember, member_id) is None


# ---------------------------------------------------------------------------------------------
# The assignment page.
# ---------------------------------------------------------------------------------------------

def test_assign_page_preview_saves_nothing_and_run_saves(make, organised, client, outbox):
    contest, round_obj, _ = organised
    judges = [make.jury_member(round_obj, make.user(name=f"Judge {i}")).user for i in range(3)]
    [make.entry(contest, rounds=[round_obj]) for _ in range(3)]
    page = client.get(f"/manage/{contest.slug}/rounds/{round_obj.id}/assign?preview=auto").get_data(as_text=True)
    assert "Preview: what the automatic assignment would do" in page
    assert 'data-testid="new-count">6<' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 0
    outbox.clear()
    response = client.post(f"/manage/{contest.slug}/rounds/{round_obj.id}/assign/run")
    assert response.status_code == 302  # post/redirect/get: a reload does not run it again
    assert response.headers["Location"].endswith(f"/rounds/{round_obj.id}/assign#result-heading")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The automatic assignment is done" in page and 'data-testid="new-count">6<' in page
    assert "The automatic assignment is done" not in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 6
    assert sorted(m["to"] for m in outbox) == sorted(j.email for j in judges)


def test_assign_page_lists_unserved_entries_with_reasons(make, organised, client):
    contest, round_obj, _ = organised
    make.jury_member(round_obj)
    entry = make.entry(contest, rounds=[round_obj], title="Lonely entry")
    page = client.get(f"/manage/{contest.slug}/rounds/{round_obj.id}/assign?preview=auto").get_data(as_text=True)
    assert "Entries that cannot be served" in page
    assert "Only 1 judge of the jury has no conflict with this entry." in page
    assert "Lonely entry" in page and str(entry.number) in page


def test_assign_page_manual_add_remove_and_move(make, organised, client):
    contest, round_obj, _ = organised
    first = make.jury_member(round_obj).user
    second = make.jury_member(round_obj, max_load=0).user
    third = make.jury_member(round_obj).user
    entry = make.entry(contest, rounds=[round_obj])
    base = f"/manage/{contest.slug}/rounds/{round_obj.id}"
    assert client.post(f"{base}/assignments/add", data={"entry_number": entry.number,
                                                        "judge": first.id}).status_code == 302
    page = client.post(f"{base}/assignments/add", data={"entry_number": entry.number, "judge": first.id})
    assert "already has this entry" in page.get_data(as_text=True)
    page = client.post(f"{base}/assignments/add", data={"entry_number": 99999, "judge": first.id})
    assert "There is no entry with this number." in page.get_data(as_text=True)
    page = client.post(f"{base}/assignments/add", data={"entry_number": entry.number, "judge": second.id})
    assert "maximum load" in page.get_data(as_text=True)
    item = db.session.scalar(sa.select(Assignment))
    move = f"/manage/{contest.slug}/assignments/{item.id}/move"
    assert str(third.name) in client.get(move).get_data(as_text=True)
    assert "maximum load" in client.post(move, data={"judge": second.id}).get_data(as_text=True)
    assert client.post(move, data={"judge": third.id}).status_code == 302
    db.session.expire_all()
    item = db.session.scalar(sa.select(Assignment))
    assert item.judge_id == third.id
    client.post(f"/manage/{contest.slug}/assignments/{item.id}/remove")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 0


def test_assign_run_result_names_the_unserved_entries_by_reason(make, organised, client):
    contest, round_obj, _ = organised
    make.jury_member(round_obj)
    entry = make.entry(contest, rounds=[round_obj], title="Lonely entry")
    response = client.post(f"/manage/{contest.slug}/rounds/{round_obj.id}/assign/run")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Entries that cannot be served" in page
    assert "Only 1 judge of the jury has no conflict with this entry." in page
    assert f"No. {entry.number}" in page


def test_manual_assignment_posts_go_back_to_the_same_page_filter_and_row(make, organised, client):
    """Issue 21: after assigning by hand the organiser lands where they were, not at the top."""
    contest, round_obj, _ = organised
    judge = make.jury_member(round_obj).user
    other = make.jury_member(round_obj).user
    entry = make.entry(contest, rounds=[round_obj])
    base = f"/manage/{contest.slug}/rounds/{round_obj.id}"
    page = client.get(f"{base}/assign?page=2&short=1").get_data(as_text=True)
    assert f'action="{base}/assignments/add?short=1"' in page  # page 2 of 1 is page 1: no page in the link
    response = client.post(f"{base}/assignments/add?page=3&short=1",
                           data={"entry_number": entry.number, "judge": judge.id})
    assert response.headers["Location"].endswith(f"{base}/assign?page=3&short=1#add-heading")
    page = client.get(f"{base}/assign").get_data(as_text=True)
    assert f'id="entry-{entry.number}"' in page
    item = db.session.scalar(sa.select(Assignment))
    move = f"/manage/{contest.slug}/assignments/{item.id}/move?page=2"
    assert f"assign?page=2#entry-{entry.number}" in client.get(move).get_data(as_text=True)
    response = client.post(move, data={"judge": other.id})
    assert response.headers["Location"].endswith(f"{base}/assign?page=2#entry-{entry.number}")
    db.session.expire_all()
    item = db.session.scalar(sa.select(Assignment))
    response = client.post(f"/manage/{contest.slug}/assignments/{item.id}/remove?short=1")
    assert response.headers["Location"].endswith(f"{base}/assign?short=1#entry-{entry.number}")
    response = client.post(f"{base}/conflicts/add?page=2", data={
        "conflict_entry_number": entry.number, "conflict_judge": judge.id, "reason": "Former employee"})
    assert response.headers["Location"].endswith(f"{base}/assign?page=2#conflict-heading")


def test_assign_page_records_an_organiser_conflict(make, organised, client):
    contest, round_obj, _ = organised
    judge = make.jury_member(round_obj).user
    entry = make.entry(contest, rounds=[round_obj])
    make.assignment(round_obj, entry, judge)
    response = client.post(f"/manage/{contest.slug}/rounds/{round_obj.id}/conflicts/add", data={
        "conflict_entry_number": entry.number, "conflict_judge": judge.id, "reason": "Former employee"})
    assert response.status_code == 302
    conflict = db.session.scalar(sa.select(Conflict))
    assert (conflict.source, conflict.user_id, conflict.reason) == ("organiser", judge.id, "Former employee")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 0


def test_assign_page_notify_sends_pending_once(make, organised, client, outbox):
    contest, round_obj, _ = organised
    judge = make.jury_member(round_obj).user
    make.assignment(round_obj, make.entry(contest, rounds=[round_obj]), judge)
    make.assignment(round_obj, make.entry(contest, rounds=[round_obj]), judge)
    outbox.clear()
    page = client.get(f"/manage/{contest.slug}/rounds/{round_obj.id}/assign").get_data(as_text=True)
    assert 'data-testid="pending">2' in page
    client.post(f"/manage/{contest.slug}/rounds/{round_obj.id}/assign/notify")
    client.post(f"/manage/{contest.slug}/rounds/{round_obj.id}/assign/notify")
    assert [m["to"] for m in outbox] == [judge.email]


def test_assign_page_query_count_does_not_grow_with_entries(make, organised, client, count_queries):
    contest, round_obj, _ = organised
    judges = [make.jury_member(round_obj).user for _ in range(3)]

    def add(count):
        for index in range(count):
            entry = make.entry(contest, rounds=[round_obj])
            make.assignment(round_obj, entry, judges[index % 3])

    add(2)
    url = f"/manage/{contest.slug}/rounds/{round_obj.id}/assign"
    with count_queries() as small:
        assert client.get(url).status_code == 200
    add(18)
    with count_queries() as large:
        assert client.get(url).status_code == 200
    assert small.count == large.count


def test_assign_page_paginates_and_filters_short_entries(make, organised, client):
    contest, round_obj, _ = organised
    judge = make.jury_member(round_obj).user
    full = make.entry(contest, rounds=[round_obj], title="Full entry")
    make.assignment(round_obj, full, judge)
    other = make.jury_member(round_obj).user
    make.assignment(round_obj, full, other)
    make.entry(contest, rounds=[round_obj], title="Short entry")
    page = client.get(f"/manage/{contest.slug}/rounds/{round_obj.id}/assign?short=1").get_data(as_text=True)
    assert "Short entry" in page and "Full entry" not in page
    assert 'data-testid="short-total">1<' in page


def test_jury_tab_link_works(make, organised, client):
    contest, round_obj, _ = organised
    page = client.get(f"/manage/{contest.slug}/").get_data(as_text=True)
    assert f'href="/manage/{contest.slug}/jury"' in page
