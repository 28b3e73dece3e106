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
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AnonymityFinding, Assignment, Attachment, Award, JuryMember, Review
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
    # Documents (issue 18): the judge's PDF of an entry follows the score page's rule; the judge's
    # own evaluation sheet is there for the round's jury only; the rest is the organisers'.
    "jury.entry_pdf": Route("judge_entry", ("round_id", "entry_id")),
    "jury.sheet_pdf": Route("account", ("round_id",), tuple((r, GONE) for r in ("entrant", "other_entrant", "organiser",
                                                                              "other_organiser", "admin"))),
    "manage.documents": Route("organiser", ("slug",)),
    "manage.entry_pdf": Route("organiser", ("slug", "entry_id")),
    "manage.judge_sheet_pdf": Route("organiser", ("slug", "round_id", "judge_id")),
    "manage.blank_sheet_pdf": Route("organiser", ("slug", "round_id")),
    "manage.score_matrix": Route("organiser", ("slug", "round_id")),
    "manage.score_matrix_xlsx": Route("organiser", ("slug", "round_id")),
    "manage.protocol_edit": Route("organiser", ("slug", "round_id")),
    "manage.protocol_file": Route("organiser", ("slug", "round_id", "doc_format")),
    "manage.jury_pack_start": Route("organiser", ("slug",)),
    "manage.sponsor_report_file": Route("organiser", ("slug", "doc_format")),
    # The opt-out link of scheduled reminders: anyone may open it; a bad token only says so.
    "auth.reminders_stop": Route("public", ("token",)),
}

# Every organiser page of the contest answers by the "organiser" rule.
for _endpoint, _values in {
    "manage.contest": ("slug",), "manage.settings": ("slug",), "manage.audit_log": ("slug",),
    "manage.audit_export_csv": ("slug",), "manage.awards": ("slug",), "manage.award_delete": ("slug", "award_id"),
    "manage.awards_places": ("slug",), "manage.criterion_delete": ("slug", "criterion_id"),
    "manage.criterion_edit": ("slug", "criterion_id"), "manage.criterion_move": ("slug", "criterion_id", "direction"),
    "manage.criterion_new": ("slug", "round_id"), "manage.entries": ("slug",),
    "manage.entries_bulk": ("slug",), "manage.message_new": ("slug",),
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
    "manage.contest_announce": ("slug",),
    "manage.results_statistics": ("slug", "round_id"),
    "manage.results_statistics_xlsx": ("slug", "round_id"),
    "manage.results_statistics_csv": ("slug", "round_id", "table"),
    "manage.funds_page": ("slug",), "manage.fund_delete": ("slug",), "manage.funding": ("slug", "round_id"),
    "manage.funding_rule": ("slug", "round_id"), "manage.funding_cut": ("slug", "round_id"),
    "manage.funding_uncut": ("slug", "round_id"), "manage.funding_confirm": ("slug", "round_id"),
    "manage.funding_show": ("slug", "round_id"), "manage.funding_withdraw": ("slug", "round_id"),
}.items():
    ROUTES[_endpoint] = Route("organiser", _values)
# The anonymity check (issue 22): organisers only.
for _endpoint, _values in {
    "manage.anonymity": ("slug",), "manage.anonymity_run": ("slug",),
    "manage.anonymity_decide": ("slug", "finding_id"), "manage.anonymity_replace": ("slug", "finding_id"),
    "manage.anonymity_title": ("slug", "entry_id"), "manage.duplicates_page": ("slug",),
}.items():
    ROUTES[_endpoint] = Route("organiser", _values)
# The entrant replaces a file the organisers asked to replace.
ROUTES["apply.replace_file"] = Route("own_entry", ("entry_id", "finding_id"))

# The JSON API (tests/test_api.py checks each endpoint with tokens of every role and scope). Here the
# caller is a cookie session: nobody signed in is 401, never sent to the login page.
UNAUTHORISED = 401
_API_ORGANISER = {**ACCESS["organiser"], "anonymous": UNAUTHORISED}
# The score page's rule, in the API's words: unsigned is 403 (no page to be sent to), not assigned 404.
_API_JUDGE = {**ACCESS["judge_entry"], "anonymous": UNAUTHORISED, "judge_unsigned": NO}
ROUTES.update({
    "api-docs.openapi_json": Route("public"),
    "hooks.api_docs": Route("public"),
    # The world's results are not published: nobody finds them (published: tests/test_api.py).
    "api.public_results": Route("public", ("slug",), tuple((r, GONE) for r in ROLES)),
    "api.contests": Route("account", (), (("anonymous", UNAUTHORISED),)),
    "api.judge_assignments": Route("account", (), (("anonymous", UNAUTHORISED),)),
    "api.attachment": Route("own_entry", ("attachment_id",), (("anonymous", UNAUTHORISED), ("judge", OK),
                                                                ("organiser", OK), ("admin", OK))),
    "api.judge_entry": Route("judge_entry", ("round_id", "entry_id"), tuple(_API_JUDGE.items())),
    "api.review_save": Route("judge_entry", ("round_id", "entry_id"), tuple(_API_JUDGE.items())),
    "api.review_submit": Route("judge_entry", ("round_id", "entry_id"), tuple(_API_JUDGE.items())),
    # DELETE only: the matrix sends POST, which the address does not accept.
    "api.assignment_remove": Route("organiser", ("slug", "assignment_id"), tuple((r, 405) for r in ROLES)),
    "hooks.tokens": Route("account"),
    # No such token: a signed-in caller finds nothing (tests/test_api.py revokes real ones).
    "hooks.token_revoke": Route("account", ("token_id",), tuple((r, GONE) for r in ROLES if r != "anonymous")),
    "hooks.webhooks": Route("organiser", ("slug",)),
    "hooks.webhook_remove": Route("organiser", ("slug", "webhook_id")),
    "hooks.webhook_enable": Route("organiser", ("slug", "webhook_id")),
})
for _endpoint, _values in {
    "api.contest": ("slug",), "api.entries": ("slug",), "api.screen": ("slug", "entry_id"),
    "api.jury_of_round": ("slug", "round_id"), "api.jury_invite": ("slug", "round_id"),
    "api.assignment_add": ("slug", "round_id"), "api.progress": ("slug", "round_id"),
    "api.round_results": ("slug", "round_id"), "api.awards": ("slug",), "api.award_add": ("slug",),
    "api.final_score": ("slug",), "api.contest_funds": ("slug",), "api.round_funding": ("slug", "round_id"),
    "api.funding_confirm": ("slug", "round_id"),
}.items():
    ROUTES[_endpoint] = Route("organiser", _values, tuple(_API_ORGANISER.items()))
# The world's round is not finalised: its organisers are told so (409; tests/test_api_funding.py).
_API_OPEN_ROUND = (*_API_ORGANISER.items(), ("organiser", 409), ("admin", 409))
ROUTES["api.funding_proposal"] = Route("organiser", ("slug", "round_id"), _API_OPEN_ROUND)
ROUTES["api.advancement"] = Route("organiser", ("slug", "round_id"), _API_OPEN_ROUND, query="?mode=top&count=1")


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
    values["judge_id"], values["doc_format"], values["table"] = people["judge"].id, "pdf", "places"
    finding = AnonymityFinding(contest_id=contest.id, entry_id=entry.id, attachment_id=attachment.id,
                               source="file_meta", location="Author", snippet="Entrant", status="replace",
                               replace_by=sh.JUDGING + timedelta(days=1), message="Please", found_at=factories.NOW)
    db.session.add(finding)
    db.session.commit()
    values["finding_id"] = finding.id
    values["assignment_id"] = db.session.scalar(
        sa.select(Assignment.id).where(Assignment.judge_id == people["judge"].id))
    values.update(token_id=1, webhook_id=1)
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
