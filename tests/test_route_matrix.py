"""Every route × every role: who gets in, and how everybody else is refused.

The expected status of each (route, role) pair is declared once, in ROUTES below (by the route's
access rule in ACCESS, with the exceptions written out). A route the app has and the table lacks
fails the test, so a new page cannot ship without saying who may open it.

One seeded contest (tests below: `world`) gives every id. GET is sent for every route that answers
it; a POST-only route is sent (empty) only to the roles it must refuse: what it does for those it
lets in is each feature's own tests' business, and doing it here would change the world under the
rows that follow.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Assignment, Attachment, Award, JuryMember, Review
from app.services.platform import storage
from tests import entries_helpers as h
from tests import factories
from tests import scoring_helpers as sh

ROLES = ("anonymous", "entrant", "other_entrant", "judge", "judge_unassigned", "judge_unsigned",
         "judge_conflicted", "organiser", "other_organiser", "admin")

OK = 200
LOGIN = 302  # sent to the login page (or, for a signed-in visitor, on to where they belong)
GONE = 404
NO = 403


def _everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def _signed_in(status: int, *, anonymous: int = LOGIN) -> dict[str, int]:
    return {**_everyone(status), "anonymous": anonymous}


# Access rules: the status of each role.
ACCESS: dict[str, dict[str, int]] = {
    # Anyone at all.
    "public": _everyone(OK),
    # A visitor's page that a signed-in account is sent away from (login, register …).
    "visitor": {**_everyone(LOGIN), "anonymous": OK},
    # Any signed-in account.
    "account": _signed_in(OK),
    # The contest's organisers and the administrator; other accounts get 403.
    "organiser": {**_signed_in(NO), "organiser": OK, "admin": OK},
    # The administrator only.
    "admin": {**_signed_in(NO), "admin": OK},
    # The entrant's own entry; to anyone else it does not exist.
    "own_entry": {**_signed_in(GONE), "entrant": OK},
    # A judge's page of an entry (the score page's rule): not on the jury 403; unsigned sent to sign;
    # a conflict 403; not assigned 404.
    "judge_entry": {**_signed_in(NO), "judge": OK, "judge_unsigned": LOGIN, "judge_conflicted": NO,
                    "judge_unassigned": GONE},
}


@dataclass(frozen=True)
class Route:
    access: str
    values: tuple[str, ...] = ()  # which of the world's ids fill the route's variables
    exceptions: tuple[tuple[str, int], ...] = ()  # (role, status) that differ from the access rule
    query: str = ""

    def expected(self) -> dict[str, int]:
        return {**ACCESS[self.access], **dict(self.exceptions)}


ROUTES: dict[str, Route] = {
    # Public pages.
    "public.index": Route("public"),
    "public.contest": Route("public", ("slug",)),
    "public.results": Route("public", ("slug",), (("anonymous", GONE), ("entrant", GONE), ("other_entrant", GONE),
                                                   ("judge", GONE), ("judge_unassigned", GONE),
                                                   ("judge_unsigned", GONE), ("judge_conflicted", GONE),
                                                   ("other_organiser", GONE), ("organiser", OK), ("admin", OK))),
    # Unpublished: organisers preview it, a visitor is asked to log in, anyone else finds nothing.
    "public.results_entry": Route("public", ("slug", "entry_id"),
                                  (*((r, GONE) for r in ROLES), ("anonymous", LOGIN), ("organiser", OK),
                                   ("admin", OK))),
    "ops.healthz": Route("public"),
    "static": Route("public", ("filename",)),
    # Accounts.
    "auth.login": Route("visitor"),
    "auth.register": Route("visitor"),
    "auth.forgot_password": Route("public"),
    "auth.confirm": Route("public", ("token",), tuple((r, LOGIN) for r in ROLES)),
    "auth.reset_password": Route("public", ("token",), tuple((r, LOGIN) for r in ROLES)),
    "auth.resend_confirmation": Route("account", (), tuple((r, LOGIN) for r in ROLES if r != "anonymous")),
    "auth.change_password": Route("account"),
    "auth.logout": Route("public"),
    "auth.logout_everywhere": Route("account"),
    "auth.set_language": Route("public", ("code",)),
    # Administration.
    "admin.index": Route("admin"),
    "admin.create_contest": Route("admin"),
    "admin.organisers": Route("admin", ("slug",)),
    "admin.remove_organiser": Route("admin", ("slug", "user_id")),
    "manage.contest_import": Route("admin"),
    # Entrants.
    "apply.my_entries": Route("account"),
    # The world is in its judging window: the call is closed, so the form sends everybody back.
    "apply.entry_new": Route("account", ("slug",), tuple((r, LOGIN) for r in ROLES)),
    "apply.entry_view": Route("own_entry", ("entry_id",)),
    "apply.entry_edit": Route("own_entry", ("entry_id",), (("entrant", LOGIN),)),
    "apply.entry_print": Route("own_entry", ("entry_id",)),
    "apply.entry_submitted": Route("own_entry", ("entry_id",)),
    "apply.entry_withdraw": Route("own_entry", ("entry_id",)),
    "apply.attachment": Route("own_entry", ("attachment_id",), (("judge", OK), ("organiser", OK), ("admin", OK))),
    # Judges.
    "jury.dashboard": Route("account"),
    "jury.declaration": Route("account", ("slug",), tuple((r, NO) for r in ("entrant", "other_entrant", "organiser",
                                                                           "other_organiser", "admin"))),
    "jury.score": Route("judge_entry", ("round_id", "entry_id")),
    "jury.autosave": Route("judge_entry", ("round_id", "entry_id")),
    # A judge who has declared a conflict may open the form again (it says so); nobody else gains.
    "jury.declare_conflict": Route("judge_entry", ("slug", "round_id", "entry_id"), (("judge_conflicted", OK),)),
    "jury.invitation": Route("public", ("token",)),
    "jury.invitation_accept": Route("account", ("token",)),
    "jury.invitation_decline": Route("public", ("token",)),
    # Organisers.
    "manage.index": Route("account"),
    # No such job: nobody finds it (tests/test_jobs.py shows who may open a real one).
    "ops.job": Route("account", ("job_id",), tuple((r, GONE) for r in ROLES if r != "anonymous")),
    "ops.job_file": Route("account", ("job_id",), tuple((r, GONE) for r in ROLES if r != "anonymous")),
}

# Every organiser page of the contest answers by the "organiser" rule.
for _endpoint, _values in {
    "manage.contest": ("slug",), "manage.settings": ("slug",), "manage.audit_log": ("slug",),
    "manage.audit_export_csv": ("slug",), "manage.awards": ("slug",), "manage.award_delete": ("slug", "award_id"),
    "manage.awards_places": ("slug",), "manage.criterion_delete": ("slug", "criterion_id"),
    "manage.criterion_edit": ("slug", "criterion_id"), "manage.criterion_move": ("slug", "criterion_id", "direction"),
    "manage.criterion_new": ("slug", "round_id"), "manage.entries": ("slug",),
    "manage.entry_detail": ("slug", "entry_id"), "manage.entries_export": ("slug", "fmt"),
    "manage.contest_export": ("slug",), "manage.contest_export_zip": ("slug",), "ops.exports": ("slug",),
    "ops.start_export": ("slug", "kind"), "manage.form_builder": ("slug",),
    "manage.form_field_delete": ("slug", "field_id"), "manage.form_field_edit": ("slug", "field_id"),
    "manage.form_field_move": ("slug", "field_id", "direction"), "manage.form_field_new": ("slug",),
    "manage.jury": ("slug",), "manage.jury_member_edit": ("slug", "member_id"),
    "manage.jury_member_remove": ("slug", "member_id"), "manage.jury_member_resend": ("slug", "member_id"),
    "manage.jury_invite": ("slug", "round_id"), "manage.jury_invite_list": ("slug", "round_id"),
    "manage.nomination_delete": ("slug", "nomination_id"), "manage.nomination_edit": ("slug", "nomination_id"),
    "manage.nomination_move": ("slug", "nomination_id", "direction"), "manage.nomination_new": ("slug",),
    "manage.progress": ("slug",), "manage.disagreements": ("slug", "round_id"),
    "manage.entry_reviews": ("slug", "round_id", "entry_id"), "manage.progress_remind": ("slug", "round_id"),
    "manage.results": ("slug",), "manage.results_advance": ("slug", "round_id"),
    "manage.results_entry": ("slug", "round_id", "entry_id"), "manage.results_export_file": ("slug", "round_id", "fmt"),
    "manage.results_finalise": ("slug", "round_id"), "manage.results_reopen": ("slug", "round_id"),
    "manage.results_final": ("slug",), "manage.results_publish": ("slug",), "manage.results_unpublish": ("slug",),
    "manage.review_reopen": ("slug", "review_id"), "manage.round_view": ("slug", "round_id"),
    "manage.round_edit": ("slug", "round_id"), "manage.round_new": ("slug",),
    "manage.assign": ("slug", "round_id"), "manage.assign_extra": ("slug", "round_id"),
    "manage.assign_notify": ("slug", "round_id"), "manage.assign_run": ("slug", "round_id"),
    "manage.assignment_add": ("slug", "round_id"), "manage.conflict_add": ("slug", "round_id"),
    "manage.assignment_move": ("slug", "assignment_id"), "manage.assignment_remove": ("slug", "assignment_id"),
    "manage.funds_page": ("slug",), "manage.fund_delete": ("slug",), "manage.funding": ("slug", "round_id"),
    "manage.funding_rule": ("slug", "round_id"), "manage.funding_cut": ("slug", "round_id"),
    "manage.funding_uncut": ("slug", "round_id"), "manage.funding_confirm": ("slug", "round_id"),
    "manage.funding_show": ("slug", "round_id"), "manage.funding_withdraw": ("slug", "round_id"),
}.items():
    ROUTES[_endpoint] = Route("organiser", _values)


@pytest.fixture
def world(app, make, freeze):
    """One contest with an entry, its attachment, a jury in every state, organisers and an admin."""
    freeze(sh.JUDGING)
    organiser = make.user(name="Organiser")
    contest = make.contest(organiser=organiser)
    round_ = make.round_(contest)
    fields = h.add_form(contest)
    entrant, other_entrant = make.user(name="Entrant"), make.user(name="Other entrant")
    entry = make.entry(contest, entrant=entrant, rounds=[round_])
    make.entry(contest, entrant=other_entrant, rounds=[round_])
    people = {"entrant": entrant, "other_entrant": other_entrant, "organiser": organiser,
              "admin": make.user(name="Admin", is_admin=True)}
    people["other_organiser"] = make.user(name="Other organiser")
    make.contest(organiser=people["other_organiser"])
    for role, signed in (("judge", True), ("judge_unassigned", True), ("judge_unsigned", False),
                         ("judge_conflicted", True)):
        people[role] = sh.judge(round_, signed=signed, name=role)
        if role != "judge_unassigned":
            sh.assign(round_, entry, people[role])
    sh.conflict(entry, people["judge_conflicted"])
    attachment = Attachment(entry_id=entry.id, field_key="presentation", storage_key="k/p.pdf", filename="p.pdf",
                            size=4, sha256="0" * 64, content_type="application/pdf", uploaded_at=factories.NOW)
    review = Review(round_id=round_.id, entry_id=entry.id, judge_id=people["judge"].id, status="draft",
                    updated_at=factories.NOW)
    award = Award(contest_id=contest.id, entry_id=entry.id, nomination_id=entry.nomination_id, place=1)
    db.session.add_all([attachment, review, award])
    db.session.commit()
    storage.store("k/p.pdf", io.BytesIO(b"%PDF"), content_type="application/pdf")
    member = db.session.scalar(sa.select(JuryMember).where(JuryMember.user_id == people["judge"].id))
    values = {
        "slug": contest.slug, "entry_id": entry.id, "round_id": round_.id, "attachment_id": attachment.id,
        "criterion_id": round_.criteria[0].id, "nomination_id": contest.nominations[0].id,
        "field_id": fields["summary"].id, "member_id": member.id, "assignment_id": None, "award_id": award.id,
        "review_id": review.id, "user_id": organiser.id, "token": member.token, "code": "en",
        "direction": "up", "fmt": "csv", "kind": "entries", "job_id": "no-such-job", "filename": "app.css",
    }
    values["assignment_id"] = db.session.scalar(
        sa.select(Assignment.id).where(Assignment.judge_id == people["judge"].id))
    return people, values


def _clients(app, people) -> dict:
    clients = {"anonymous": app.test_client()}
    for role, user in people.items():
        client = app.test_client()
        response = client.post("/auth/login", data={"email": user.email, "password": factories.PASSWORD})
        assert response.status_code == 302, role
        clients[role] = client
    return clients


def _url(app, endpoint: str, route: Route, values: dict) -> str:
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **{name: values[name] for name in route.values}) + route.query


def _observe(app, people, values) -> dict[tuple[str, str], int]:
    """The status of each (route, role) pair, as the rules of ROUTES say to ask it."""
    clients = _clients(app, people)
    methods = {rule.endpoint: rule.methods for rule in app.url_map.iter_rules()}
    seen = {}
    # POST-only routes last, and only to the roles they refuse (see the module docstring).
    for endpoint, route in sorted(ROUTES.items(), key=lambda item: "GET" not in methods[item[0]]):
        url = _url(app, endpoint, route, values)
        for role in ROLES:
            client = clients[role]
            if "GET" in methods[endpoint]:
                response = client.get(url)
            elif route.expected()[role] in (OK, LOGIN) and role != "anonymous":
                continue
            elif route.expected()[role] == OK:
                continue
            else:
                response = client.post(url)
            response.close()
            seen[(endpoint, role)] = response.status_code
    return seen


def test_every_route_has_a_row(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(ROUTES) == set(), "add these routes to ROUTES with who may open them"
    assert set(ROUTES) - endpoints == set()


def test_route_role_matrix(app, world):
    people, values = world
    started = time.perf_counter()
    seen = _observe(app, people, values)
    wrong = {pair: (status, ROUTES[pair[0]].expected()[pair[1]]) for pair, status in seen.items()
             if status != ROUTES[pair[0]].expected()[pair[1]]}
    assert wrong == {}, "(route, role): (seen, expected)"
    assert len(seen) > 500
    assert time.perf_counter() - started < 60
