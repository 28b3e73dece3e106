"""The JSON API: tokens, permissions per endpoint, pagination, writes under the pages' rules,
errors in one shape and language, CSRF only for cookie sessions, rate limits, the OpenAPI document."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.config import PROJECT_ROOT
from app.extensions import db
from app.models import ApiToken, Attachment, AuditEvent, Entry
from app.services.platform import storage
from app.services.results import finalising, outcomes
from tests import factories
from tests import results_helpers as rh
from tests import scoring_helpers as sh
from tests.api_helpers import call, token

API = "/api/v1"


@pytest.fixture
def scene(app, freeze):
    freeze(sh.JUDGING)
    return sh.scene(entries=3)


def _finalise(round_, organiser) -> None:
    confirmed = {item.key for item in finalising.finalise_checklist(round_)}
    outcomes.finalise_round(round_, actor=organiser, confirmed=confirmed, reason="Closing early for the test")
    db.session.commit()


def _error(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}, body
    return body["error"]


# --- tokens ---------------------------------------------------------------------------------------

def test_token_page_shows_the_secret_once_and_stores_only_its_hash(client, make, login):
    user = login(make.user())
    response = client.post("/account/tokens", data={"name": "CRM", "expires": "30", "scope_entries": "read"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    stored = db.session.scalar(sa.select(ApiToken))
    secret = page.split('<code class="user-select-all">')[1].split("<")[0]
    assert secret.startswith("fj_") and secret not in (stored.secret_hash, stored.prefix)
    assert stored.scopes == "entries:read" and stored.user_id == user.id
    assert secret not in client.get("/account/tokens").get_data(as_text=True)


def test_token_without_scope_is_refused_on_the_page(client, make, login):
    login(make.user())
    response = client.post("/account/tokens", data={"name": "Nothing", "expires": "30"})
    assert "Choose at least one area" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


def test_token_last_used_and_revoke(client, scene, login):
    secret = token(scene.organiser)
    assert call(client, "GET", f"{API}/contests", secret).status_code == 200
    stored = db.session.scalar(sa.select(ApiToken))
    assert stored.last_used_at == sh.JUDGING
    login(scene.organiser)
    assert client.post(f"/account/tokens/{stored.id}/revoke").status_code == 302
    response = call(client, "GET", f"{API}/contests", secret)
    assert response.status_code == 401 and _error(response)["code"] == "token_revoked"


def test_someone_else_cannot_revoke_a_token(client, scene, make, login):
    token(scene.organiser)
    stored = db.session.scalar(sa.select(ApiToken))
    login(make.user())
    assert client.post(f"/account/tokens/{stored.id}/revoke").status_code == 404
    assert db.session.get(ApiToken, stored.id).revoked_at is None


def test_expired_invalid_and_missing_tokens_are_401(client, scene, freeze):
    secret = token(scene.organiser, days=30)
    path = f"{API}/contests/{scene.contest.slug}"
    assert call(client, "GET", path, secret).status_code == 200
    freeze(sh.JUDGING + timedelta(days=30))
    expired = call(client, "GET", path, secret)
    assert expired.status_code == 401 and _error(expired)["code"] == "token_expired"
    assert expired.headers["WWW-Authenticate"].startswith("Bearer")
    assert _error(call(client, "GET", path, "fj_not-a-token"))["code"] == "token_invalid"
    missing = call(client, "GET", path)
    assert missing.status_code == 401 and _error(missing)["code"] == "unauthorized"
    basic = call(client, "GET", path, headers={"Authorization": "Basic eDp5"})
    assert basic.status_code == 401


def test_error_message_follows_accept_language(client, scene):
    path = f"{API}/contests/{scene.contest.slug}"
    english = _error(call(client, "GET", path, language="en"))
    russian = _error(call(client, "GET", path, language="ru"))
    assert english["code"] == russian["code"] == "unauthorized"
    assert english["message"].startswith("Send a valid API token")
    assert russian["message"] != english["message"] and "токен" in russian["message"]


def test_unknown_api_path_and_method_answer_json(client, scene):
    assert _error(call(client, "GET", f"{API}/nothing"))["code"] == "not_found"
    wrong = call(client, "DELETE", f"{API}/contests", token(scene.organiser))
    assert wrong.status_code == 405 and _error(wrong)["code"] == "method_not_allowed"
    # The pages keep their HTML error pages.
    assert client.get("/no-such-page").mimetype == "text/html"


# --- permissions: every endpoint -------------------------------------------------------------------

def _endpoints(scene, attachment_id: int, assignment_id: int):
    """(method, path, area, json body) of every authenticated endpoint of an organiser."""
    slug, round_id, entry = scene.contest.slug, scene.round.id, scene.entry
    return [
        ("GET", f"{API}/contests/{slug}", None, None),
        ("GET", f"{API}/contests/{slug}/entries", "entries", None),
        ("POST", f"{API}/contests/{slug}/entries/{entry.id}/screening", "entries", {"eligible": True}),
        ("GET", f"{API}/attachments/{attachment_id}", "entries", None),
        ("GET", f"{API}/contests/{slug}/rounds/{round_id}/jury", "jury", None),
        ("POST", f"{API}/contests/{slug}/rounds/{round_id}/jury/invitations", "jury", {"emails": ["new@example.org"]}),
        ("POST", f"{API}/contests/{slug}/rounds/{round_id}/assignments", "jury",
         {"entry": entry.id, "judge_id": scene.judge.id}),
        ("DELETE", f"{API}/contests/{slug}/assignments/{assignment_id}", "jury", None),
        ("GET", f"{API}/contests/{slug}/rounds/{round_id}/progress", "results", None),
        ("GET", f"{API}/contests/{slug}/rounds/{round_id}/results", "results", None),
        ("GET", f"{API}/contests/{slug}/awards", "results", None),
        ("POST", f"{API}/contests/{slug}/awards", "results", {"entry": entry.number, "place": 1}),
        ("GET", f"{API}/contests/{slug}/final", "results", None),
        ("GET", f"{API}/contests/{slug}/rounds/{round_id}/advancement?mode=top&count=2", "results", None),
        ("GET", f"{API}/contests/{slug}/funds", "funding", None),
        ("GET", f"{API}/contests/{slug}/rounds/{round_id}/funding", "funding", None),
        ("GET", f"{API}/contests/{slug}/rounds/{round_id}/funding/proposals", "funding", None),
        ("POST", f"{API}/contests/{slug}/rounds/{round_id}/funding/confirm", "funding", None),
    ]


# GETs the organiser may read that the rules refuse in this scene (a round that is not finalised).
REFUSED_IN_AN_OPEN_ROUND = ("/advancement", "/funding/proposals")


def _attachment(entry) -> Attachment:
    item = Attachment(entry_id=entry.id, field_key="presentation", storage_key=f"k/{entry.id}.pdf",
                      filename="plan.pdf", size=4, sha256="0" * 64, content_type="application/pdf",
                      uploaded_at=factories.NOW)
    db.session.add(item)
    db.session.commit()
    storage.store(item.storage_key, io.BytesIO(b"%PDF"), content_type="application/pdf")
    return item


@pytest.fixture
def organiser_endpoints(scene):
    attachment = _attachment(scene.entry)
    assignment = sh.assign(scene.round, scene.entries[1], sh.judge(scene.round, name="Second"))
    return _endpoints(scene, attachment.id, assignment.id)


def test_every_organiser_endpoint_refuses_strangers(client, scene, make, organiser_endpoints):
    other_organiser = make.user(name="Other organiser")
    make.contest(organiser=other_organiser)
    callers = {"anonymous": None, "other organiser": token(other_organiser), "judge": token(scene.judge),
               "entrant": token(scene.entry.entrant)}
    for method, path, _area, body in organiser_endpoints:
        for who, secret in callers.items():
            response = call(client, method, path, secret, json=body)
            expected = 401 if secret is None else (404 if "/attachments/" in path else 403)
            if who in ("entrant", "judge") and "/attachments/" in path:
                # The entrant's own file and an assigned judge's entry: readable, as on the pages.
                expected = 200
            response.close()
            assert response.status_code == expected, (who, method, path)
            if expected != 200:
                assert set(_error(response)) >= {"code", "message"}


def test_every_organiser_endpoint_needs_its_scope(client, scene, organiser_endpoints):
    for method, path, area, body in organiser_endpoints:
        other_areas = {f"{a}:write" for a in ("entries", "jury", "results", "funding", "reviews") if a != area}
        if area is None:
            other_areas = {"reviews:write"}
        response = call(client, method, path, token(scene.organiser, other_areas), json=body)
        assert response.status_code == 403, (method, path)
        assert _error(response)["code"] == "insufficient_scope"
        if method != "GET":
            read_only = call(client, method, path, token(scene.organiser, {f"{area}:read"}), json=body)
            assert _error(read_only)["code"] == "insufficient_scope", (method, path)


def test_organiser_reads_every_endpoint(client, scene, organiser_endpoints):
    secret = token(scene.organiser)
    for method, path, _area, _body in organiser_endpoints:
        if method == "GET":
            response = call(client, method, path, secret)
            response.close()
            refused = any(part in path for part in REFUSED_IN_AN_OPEN_ROUND)
            assert response.status_code == (409 if refused else 200), path


def test_a_round_of_another_contest_is_404(client, scene, make):
    other = make.contest(organiser=scene.organiser)
    foreign = make.round_(other)
    response = call(client, "GET", f"{API}/contests/{scene.contest.slug}/rounds/{foreign.id}/results",
                    token(scene.organiser))
    assert response.status_code == 404


# --- reads ----------------------------------------------------------------------------------------

def test_contest_setup_is_the_exchange_set_up_with_round_ids(client, scene):
    body = call(client, "GET", f"{API}/contests/{scene.contest.slug}", token(scene.organiser)).get_json()
    assert [r["id"] for r in body["rounds"]] == [scene.round.id]
    assert [c["key"] for c in body["rounds"][0]["criteria"]] == ["c1", "c2"]
    assert [n["key"] for n in body["nominations"]] == ["nom1", "nom2"]
    assert body["contest"]["slug"] == scene.contest.slug and body["published"] is False


def test_entries_pages_by_cursor_without_gaps_or_repeats(client, scene, make):
    for _ in range(4):
        make.entry(scene.contest, rounds=[scene.round])
    make.entry(scene.contest, status="draft")
    secret = token(scene.organiser, {"entries:read"})
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = call(client, "GET", f"{API}/contests/{scene.contest.slug}/entries", secret,
                    query_string=query).get_json()
        seen += [e["id"] for e in body["entries"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    expected = db.session.scalars(sa.select(Entry.id).where(Entry.contest_id == scene.contest.id,
                                                             Entry.status != "draft").order_by(Entry.id)).all()
    assert seen == expected and len(seen) == 7 and pages == 4


def test_entries_filters_and_attachment_links(client, scene, make):
    ineligible = make.entry(scene.contest, eligible=False, nomination=scene.contest.nominations[1])
    attachment = _attachment(scene.entry)
    secret = token(scene.organiser, {"entries:read"})
    path = f"{API}/contests/{scene.contest.slug}/entries"
    body = call(client, "GET", path, secret, query_string={"eligibility": "ineligible"}).get_json()
    assert [e["id"] for e in body["entries"]] == [ineligible.id]
    body = call(client, "GET", path, secret, query_string={"nomination": "nom2"}).get_json()
    assert [e["id"] for e in body["entries"]] == [ineligible.id]
    body = call(client, "GET", path, secret, query_string={"round": scene.round.id}).get_json()
    assert ineligible.id not in [e["id"] for e in body["entries"]]
    first = body["entries"][0]
    assert first["attachments"][0]["filename"] == "plan.pdf"
    link = first["attachments"][0]["download_url"]
    assert link.endswith(f"/api/v1/attachments/{attachment.id}")
    download = call(client, "GET", link.split("localhost", 1)[1], secret)
    assert download.status_code == 200 and download.data == b"%PDF"
    download.close()
    bad = call(client, "GET", path, secret, query_string={"cursor": "nonsense!"})
    assert bad.status_code == 422 and "cursor" in _error(bad)["fields"]
    unknown = call(client, "GET", path, secret, query_string={"nomination": "nope"})
    assert unknown.status_code == 422


def test_entries_page_costs_a_fixed_number_of_statements(client, scene, make, count_queries):
    secret = token(scene.organiser, {"entries:read"})
    path = f"{API}/contests/{scene.contest.slug}/entries"

    def statements(limit):
        with count_queries() as counter:
            response = call(client, "GET", path, secret, query_string={"limit": limit})
        assert response.status_code == 200
        return counter.count

    statements(1)  # the token's last use is written once a minute: not in the figures below
    few = statements(2)
    for entry in [make.entry(scene.contest, rounds=[scene.round]) for _ in range(12)]:
        _attachment(entry)
    assert statements(10) == few


def test_results_are_the_export_live_then_frozen(client, scene):
    from app.services.results.export import results_document

    judges = [scene.judge, rh.judge(scene.round)]
    rh.reviews(scene.round, scene.entry, judges, [8, 6], [4, 4])
    secret = token(scene.organiser, {"results:read"})
    path = f"{API}/contests/{scene.contest.slug}/rounds/{scene.round.id}/results"
    live = call(client, "GET", path, secret).get_json()
    assert live == {**results_document(scene.round), "frozen": False}
    _finalise(scene.round, scene.organiser)
    # A review written straight into the table after finalising cannot move the frozen results.
    rh.review(scene.round, scene.entries[1], scene.judge, [10, 10])
    frozen = call(client, "GET", path, secret).get_json()
    assert frozen["frozen"] is True
    assert frozen["rankings"] == live["rankings"]


def test_progress_counts(client, scene):
    rh.review(scene.round, scene.entry, scene.judge, [5, 5])
    body = call(client, "GET", f"{API}/contests/{scene.contest.slug}/rounds/{scene.round.id}/progress",
                token(scene.organiser, {"results:read"})).get_json()
    assert body["judges"] == [{"judge_id": scene.judge.id, "name": "Judge One", "due": 3, "submitted": 1,
                               "drafts": 0}]


# --- writes: the pages' rules and audit ------------------------------------------------------------

def test_screening_through_the_api_is_the_page_s_rule_and_audit(client, scene, make):
    secret = token(scene.organiser, {"entries:write"})
    path = f"{API}/contests/{scene.contest.slug}/entries/{scene.entry.id}/screening"
    missing = call(client, "POST", path, secret, json={"eligible": False})
    assert missing.status_code == 422 and "reason" in _error(missing)["fields"]
    done = call(client, "POST", path, secret, json={"eligible": False, "reason": "Out of scope"})
    assert done.status_code == 200 and done.get_json()["eligible"] is False
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "entry.screen"))
    assert event.actor_id == scene.organiser.id and event.reason == "Out of scope"
    draft = make.entry(scene.contest, status="draft")
    refused = call(client, "POST", f"{API}/contests/{scene.contest.slug}/entries/{draft.id}/screening", secret,
                   json={"eligible": True})
    assert refused.status_code == 409 and _error(refused)["code"] == "refused"
    invalid = call(client, "POST", path, secret, json={"eligible": "maybe"})
    assert invalid.status_code == 422 and "eligible" in _error(invalid)["fields"]


def test_manual_assignment_obeys_conflicts_and_finalisation(client, scene):
    secret = token(scene.organiser, {"jury:write"})
    second = sh.judge(scene.round, name="Second")
    sh.conflict(scene.entries[1], second)
    path = f"{API}/contests/{scene.contest.slug}/rounds/{scene.round.id}/assignments"
    refused = call(client, "POST", path, secret, json={"entry": scene.entries[1].id, "judge_id": second.id})
    assert refused.status_code == 409
    made = call(client, "POST", path, secret, json={"entry": scene.entries[2].id, "judge_id": second.id})
    assert made.status_code == 201
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "assignment.add")) is not None
    scene.round.finalised_at = sh.JUDGING
    db.session.commit()
    removal = call(client, "DELETE", f"{API}/contests/{scene.contest.slug}/assignments/{made.get_json()['id']}",
                   secret)
    assert removal.status_code == 409 and "finalised" in _error(removal)["message"]


def test_jury_invitation_sends_mail_and_is_audited(client, scene, outbox):
    secret = token(scene.organiser, {"jury:write"})
    path = f"{API}/contests/{scene.contest.slug}/rounds/{scene.round.id}/jury/invitations"
    response = call(client, "POST", path, secret, json={"emails": ["expert@example.org"]})
    assert response.status_code == 201 and response.get_json()["invited"] == ["expert@example.org"]
    assert any(m["to"] == "expert@example.org" for m in outbox)
    assert call(client, "POST", path, secret, json={"emails": ["not an address"]}).status_code == 422


def test_award_for_an_unrated_entry_is_refused(client, scene):
    secret = token(scene.organiser, {"results:write"})
    response = call(client, "POST", f"{API}/contests/{scene.contest.slug}/awards", secret,
                    json={"entry": scene.entry.number, "place": 1})
    assert response.status_code == 409 and "cannot win" in _error(response)["message"]


# --- judges ---------------------------------------------------------------------------------------

def _review_path(scene, entry=None, suffix=""):
    return f"{API}/judging/rounds/{scene.round.id}/entries/{(entry or scene.entry).id}{suffix}"


def test_judge_reads_assignments_and_an_entry(client, scene):
    secret = token(scene.judge, {"reviews:read"})
    body = call(client, "GET", f"{API}/judging/assignments", secret).get_json()
    assert [e["entry"] for e in body["rounds"][0]["entries"]] == [e.id for e in scene.entries]
    entry = call(client, "GET", _review_path(scene), secret).get_json()
    assert entry["review"]["status"] == "none" and entry["may_change"] is True
    assert [c["key"] for c in entry["criteria"]] == ["c1", "c2"]


def test_judge_saves_then_submits_with_the_score_page_rules(client, scene):
    secret = token(scene.judge, {"reviews:write"})
    saved = call(client, "POST", _review_path(scene, suffix="/review"), secret, json={"scores": {"c1": 7}})
    assert saved.status_code == 200 and saved.get_json()["status"] == "draft"
    incomplete = call(client, "POST", _review_path(scene, suffix="/review/submit"), secret, json={})
    assert incomplete.status_code == 422 and "scores.c2" in _error(incomplete)["fields"]
    out_of_scale = call(client, "POST", _review_path(scene, suffix="/review"), secret, json={"scores": {"c2": 11}})
    assert out_of_scale.status_code == 422
    submitted = call(client, "POST", _review_path(scene, suffix="/review/submit"), secret,
                     json={"scores": {"c2": 5}})
    assert submitted.status_code == 200
    assert submitted.get_json()["status"] == "submitted" and submitted.get_json()["total"] == "19.00"
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "review.submit")) is not None
    again = call(client, "POST", _review_path(scene, suffix="/review"), secret, json={"scores": {"c1": 1}})
    assert again.status_code == 409 and _error(again)["code"] == "already_submitted"


def test_judge_writes_are_refused_after_the_window_and_in_a_finalised_round(client, scene, freeze):
    secret = token(scene.judge, {"reviews:write"})
    freeze(factories.NOW + timedelta(days=31))
    closed = call(client, "POST", _review_path(scene, suffix="/review"), secret, json={"scores": {"c1": 7}})
    assert closed.status_code == 409 and _error(closed)["code"] == "judging_closed"
    freeze(sh.JUDGING)
    scene.round.finalised_at = sh.JUDGING
    db.session.commit()
    final = call(client, "POST", _review_path(scene, suffix="/review/submit"), secret,
                 json={"scores": {"c1": 7, "c2": 7}})
    assert final.status_code == 409 and _error(final)["code"] == "round_finalised"


def test_judge_access_rules(client, scene, make):
    other_round = make.round_(scene.contest)
    stranger = sh.judge(other_round, name="Judge of another round")
    unsigned = sh.judge(scene.round, name="Unsigned", signed=False)
    sh.assign(scene.round, scene.entry, unsigned)
    conflicted = sh.judge(scene.round, name="Conflicted")
    sh.assign(scene.round, scene.entry, conflicted)
    sh.conflict(scene.entry, conflicted)
    unassigned = sh.judge(scene.round, name="Unassigned")
    expected = {stranger: (403, "not_on_jury"), unsigned: (403, "declaration_required"),
                conflicted: (403, "conflict"), unassigned: (404, "not_assigned")}
    for person, (status, code) in expected.items():
        for method, suffix in (("GET", ""), ("POST", "/review"), ("POST", "/review/submit")):
            response = call(client, method, _review_path(scene, suffix=suffix), token(person),
                            json={"scores": {"c1": 1}} if method != "GET" else None)
            assert (response.status_code, _error(response)["code"]) == (status, code), (person.name, method)
    organiser_only = token(scene.judge, {"entries:write"})
    assert _error(call(client, "GET", _review_path(scene), organiser_only))["code"] == "insufficient_scope"
    assert call(client, "GET", f"{API}/judging/assignments").status_code == 401


# --- public ---------------------------------------------------------------------------------------

def test_public_results_only_once_published_and_without_a_token(client, scene):
    rh.reviews(scene.round, scene.entry, [scene.judge], [8, 6])
    path = f"{API}/public/contests/{scene.contest.slug}/results"
    assert client.get(path).status_code == 404
    _finalise(scene.round, scene.organiser)
    outcomes.publish_results(scene.contest, actor=scene.organiser, notify=False)
    db.session.commit()
    body = client.get(path).get_json()
    rated = [row for row in body["rounds"][0]["rankings"] if not row["not_rated"]]
    assert rated == [{"nomination": "nom1", "rank": 1, "entry": scene.entry.number, "title": scene.entry.title,
                      "organisation": "", "score": "22.00", "not_rated": False, "below_pass_mark": False,
                      "granted": None, "currency": None}]
    assert body["final"] is None  # no round weights
    assert client.get(f"{API}/public/contests/nope/results").status_code == 404


# --- CSRF: exempt only with a token ----------------------------------------------------------------

def test_cookie_session_writes_need_the_csrf_token_and_token_writes_do_not(app, client, scene, login):
    app.config["WTF_CSRF_ENABLED"] = True
    path = f"{API}/contests/{scene.contest.slug}/entries/{scene.entry.id}/screening"
    client.get("/auth/login")
    page = client.get("/auth/login").get_data(as_text=True)
    csrf = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/auth/login", data={"email": scene.organiser.email, "password": factories.PASSWORD,
                                     "csrf_token": csrf})
    forged = call(client, "POST", path, json={"eligible": True})
    assert forged.status_code == 400 and _error(forged)["code"] == "csrf_failed"
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "entry.screen")) is None
    # The cookie session reads without a CSRF token, and writes with one.
    assert call(client, "GET", f"{API}/contests/{scene.contest.slug}").status_code == 200
    assert call(client, "POST", path, json={"eligible": True}, headers={"X-CSRFToken": csrf}).status_code == 200
    # A token-authenticated request carries no cookie-based authority: no CSRF token needed.
    fresh = app.test_client()
    assert call(fresh, "POST", path, token(scene.organiser), json={"eligible": True}).status_code == 200


def test_an_invalid_token_never_falls_back_to_the_cookie_session(client, scene, login):
    login(scene.organiser)
    response = call(client, "GET", f"{API}/contests/{scene.contest.slug}", "fj_wrong")
    assert response.status_code == 401


# --- rate limits -----------------------------------------------------------------------------------

def test_rate_limit_per_token(app, tmp_path):
    """An app of its own with the limiter on; the same database as the other tests (PostgreSQL's
    tables are shared; in-memory SQLite is one database per app, so it gets its own schema)."""
    from app import create_app
    from app.config import TestConfig

    class Limited(TestConfig):
        RATELIMIT_ENABLED = True
        API_RATE_LIMIT = "3 per minute"
        STORAGE_DIR = str(tmp_path)
        SQLALCHEMY_DATABASE_URI = str(db.engine.url.render_as_string(hide_password=False))

    limited = create_app(Limited)
    with limited.app_context():
        in_memory = db.engine.dialect.name == "sqlite"
        if in_memory:
            db.create_all()
        try:
            person = factories.user()
            first, second = token(person, {"reviews:read"}), token(person, {"reviews:read"})
            client = limited.test_client()
            answers = [call(client, "GET", f"{API}/judging/assignments", first).status_code for _ in range(4)]
            assert answers == [200, 200, 200, 429]
            refused = call(client, "GET", f"{API}/judging/assignments", first)
            assert _error(refused)["code"] == "rate_limited"
            assert call(client, "GET", f"{API}/judging/assignments", second).status_code == 200
        finally:
            db.session.remove()
            if in_memory:
                db.drop_all()
            db.engine.dispose()


# --- the OpenAPI document --------------------------------------------------------------------------

COMMITTED = PROJECT_ROOT / "docs" / "openapi.json"


def test_openapi_document_is_valid_and_the_committed_copy_is_current(client):
    from openapi_spec_validator import validate

    served = client.get(f"{API}/openapi.json").get_json()
    validate(served)
    assert served["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert served["paths"][f"{API}/public/contests/{{slug}}/results"]["get"]["security"] == []
    committed = json.loads(Path(COMMITTED).read_text(encoding="utf-8"))
    assert committed == served, "run: flask --app app openapi write --format=json docs/openapi.json"


def test_browsable_reference_lists_every_operation(client):
    page = client.get(f"{API}/docs").get_data(as_text=True)
    assert "/api/v1/contests/{slug}/entries" in page and "/api/v1/judging/assignments" in page


def test_text_that_cannot_be_stored_is_refused_at_the_field(client, scene):
    path = f"{API}/contests/{scene.contest.slug}/entries/{scene.entry.id}/screening"
    response = call(client, "POST", path, token(scene.organiser), json={"eligible": False, "reason": "a\x00b"})
    assert response.status_code == 422 and "reason" in _error(response)["fields"]
    too_big = call(client, "POST", f"{API}/contests/{scene.contest.slug}/rounds/{scene.round.id}/assignments",
                    token(scene.organiser), json={"entry": 2**63, "judge_id": 1})
    assert too_big.status_code == 422 and "entry" in _error(too_big)["fields"]


def test_tokens_page_fixed_queries(client, make, login, count_queries):
    user = login(make.user())
    token(user)

    def queries():
        with count_queries() as counter:
            assert client.get("/account/tokens").status_code == 200
        return counter.count

    few = queries()
    for _ in range(6):
        token(user)
    assert queries() == few


def test_tokens_page_in_russian(client, make, login):
    login(make.user(locale="ru"))
    page = client.get("/account/tokens").get_data(as_text=True)
    assert "Токены API" in page and "Создать токен" in page


def test_award_after_publication_only_as_a_correction(client, scene):
    rh.reviews(scene.round, scene.entry, [scene.judge], [8, 6])
    _finalise(scene.round, scene.organiser)
    outcomes.publish_results(scene.contest, actor=scene.organiser, notify=False)
    db.session.commit()
    secret = token(scene.organiser, {"results:write"})
    path = f"{API}/contests/{scene.contest.slug}/awards"
    refused = call(client, "POST", path, secret, json={"entry": scene.entry.number, "place": 1})
    assert refused.status_code == 409
    corrected = call(client, "POST", path, secret,
                     json={"entry": scene.entry.number, "place": 1, "correction": "Place left out by mistake"})
    assert corrected.status_code == 201 and corrected.get_json()["place"] == 1
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "award.add"))
    assert event.reason == "Place left out by mistake"


# --- "log out everywhere" revokes the tokens too; a password change does not ----------------------

def test_log_out_everywhere_revokes_every_api_token(client, scene, login):
    first, second = token(scene.organiser), token(scene.organiser, {"results:read"})
    others = token(scene.judge)
    path = f"{API}/contests/{scene.contest.slug}"
    assert call(client, "GET", path, first).status_code == 200
    login(scene.organiser)
    page = client.get("/auth/password").get_data(as_text=True)
    assert "revoke all your API tokens" in page
    assert "revokes all your tokens too" in client.get("/account/tokens").get_data(as_text=True)
    assert client.post("/auth/logout-everywhere").status_code == 302
    for secret in (first, second):
        refused = call(client, "GET", path, secret)
        assert refused.status_code == 401 and _error(refused)["code"] == "token_revoked"
    # Another person's token is untouched; each revocation is in the audit log.
    assert call(client, "GET", f"{API}/judging/assignments", others).status_code == 200
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "api_token.revoke")).all()
    assert len(events) == 2 and {e.reason for e in events} == {"log out everywhere"}


def test_a_password_change_keeps_the_api_tokens(client, scene, login):
    secret = token(scene.organiser)
    login(scene.organiser)
    response = client.post("/auth/password", data={
        "current": factories.PASSWORD, "password": "a-new-long-phrase", "password2": "a-new-long-phrase"})
    assert response.status_code == 302
    assert call(client, "GET", f"{API}/contests/{scene.contest.slug}", secret).status_code == 200
