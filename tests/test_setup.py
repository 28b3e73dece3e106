"""Contest set-up by administrators and organisers: validation at the field, and who may do it."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Contest, Criterion, Round


@pytest.fixture
def organiser(make):
    return make.user(email="org@example.org", name="Olga Organiser")


@pytest.fixture
def contest(make, organiser):
    return make.contest(slug="spring", organiser=organiser)


def _round_form(**overrides):
    data = {
        "key": "r1", "title_ru": "Тур", "title_en": "Round",
        "intake_opens_at": "2026-03-17T00:00", "intake_closes_at": "2026-04-30T23:59:00",
        "judging_opens_at": "2026-05-12T00:00", "judging_closes_at": "2026-06-02T23:59",
        "reviews_per_entry": "2", "method": "mean", "pass_mark": "60",
        "disagreement_threshold": "", "weight": "0.7",
    }
    data.update(overrides)
    return data


def _criterion_form(**overrides):
    data = {"key": "relevance", "title_ru": "Актуальность", "title_en": "Relevance",
            "weight": "2.0", "min_score": "0", "max_score": "10"}
    data.update(overrides)
    return data


def test_admin_creates_contest(client, make, login):
    login(make.user(is_admin=True))
    response = client.post("/admin/contests/new", data={
        "slug": "formula-2027", "title_ru": "Формула", "title_en": "Formula",
        "timezone": "Asia/Krasnoyarsk"})
    assert response.status_code == 302
    contest = db.session.scalar(sa.select(Contest).where(Contest.slug == "formula-2027"))
    assert contest.timezone == "Asia/Krasnoyarsk"


def test_admin_contest_slug_taken_and_bad_slug(client, make, login, contest):
    login(make.user(is_admin=True))
    page = client.post("/admin/contests/new", data={
        "slug": "spring", "title_ru": "Ф", "title_en": "F", "timezone": "Europe/Moscow"}
    ).get_data(as_text=True)
    assert "This address is taken." in page
    page = client.post("/admin/contests/new", data={
        "slug": "Bad Slug!", "title_ru": "Ф", "title_en": "F", "timezone": "Europe/Moscow"}
    ).get_data(as_text=True)
    assert "lower-case Latin letters" in page
    assert 'value="Bad Slug!"' in page


def test_admin_appoints_existing_and_new_organiser(client, make, login, contest, outbox):
    login(make.user(is_admin=True))
    existing = make.user(email="second@example.org")
    client.post("/admin/contests/spring/organisers", data={"email": "second@example.org"})
    client.post("/admin/contests/spring/organisers", data={
        "email": "brand-new@example.org", "name": "Brand New"})
    page = client.get("/admin/contests/spring/organisers").get_data(as_text=True)
    assert existing.name in page and "Brand New" in page
    assert outbox[-1]["to"] == "brand-new@example.org"  # a link to set a password


@pytest.mark.parametrize("path", ["/admin/", "/admin/contests/new", "/admin/contests/spring/organisers"])
def test_admin_pages_refuse_non_admins(client, make, login, contest, organiser, path):
    assert client.get(path).status_code == 302  # anonymous: to the login page
    login(organiser)
    assert client.get(path).status_code == 403


def test_non_admin_cannot_appoint_organisers(client, make, login, contest):
    intruder = login(make.user())
    response = client.post("/admin/contests/spring/organisers", data={"email": intruder.email})
    assert response.status_code == 403
    assert "spring" not in [c.slug for c in []]


MANAGE_PATHS = [
    "/manage/spring/", "/manage/spring/settings", "/manage/spring/nominations/new",
    "/manage/spring/rounds/new",
]


@pytest.mark.parametrize("path", MANAGE_PATHS)
def test_manage_pages_refuse_other_people(client, make, login, contest, path):
    assert client.get(path).status_code == 302
    other_contest_organiser = make.user()
    make.contest(slug="other", organiser=other_contest_organiser)
    login(other_contest_organiser)
    assert client.get(path).status_code == 403
    login(make.user())
    assert client.get(path).status_code == 403


def test_manage_post_refused_to_other_organiser(client, make, login, contest):
    other = make.user()
    make.contest(slug="other", organiser=other)
    login(other)
    response = client.post("/manage/spring/rounds/new", data=_round_form())
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Round)) == 0


def test_nomination_from_other_contest_is_404(client, make, login, contest, organiser):
    other = make.contest(slug="other", organiser=make.user())
    login(organiser)
    nomination_id = other.nominations[0].id
    assert client.get(f"/manage/spring/nominations/{nomination_id}/edit").status_code == 404


def test_organiser_sets_up_round_and_criteria(client, login, contest, organiser):
    login(organiser)
    response = client.post("/manage/spring/rounds/new", data=_round_form())
    assert response.status_code == 302
    round_ = db.session.scalar(sa.select(Round))
    # Times typed in the contest's zone (Moscow, UTC+3) are stored in UTC.
    assert round_.intake_closes_at == datetime(2026, 4, 30, 20, 59, tzinfo=UTC)
    assert round_.weight == Decimal("0.70")
    for key, weight in (("relevance", "2.0"), ("coherence", "1.5")):
        client.post(f"/manage/spring/rounds/{round_.id}/criteria/new",
                    data=_criterion_form(key=key, weight=weight))
    db.session.expire_all()
    assert [c.key for c in round_.criteria] == ["relevance", "coherence"]
    assert round_.maximum == Decimal("35.0")
    page = client.get(f"/manage/spring/rounds/{round_.id}/").get_data(as_text=True)
    assert "30.04.2026" in page or "April 30, 2026" in page
    assert "11:59\u202fPM (MSK)" in page or "23:59 (МСК)" in page


@pytest.mark.parametrize("weight,message", [
    ("0", "greater than zero"), ("-1", "greater than zero"), ("1.234", "at most two decimal"),
    ("abc", "Enter a number"),
])
def test_criterion_weight_refused_at_field(client, make, login, contest, organiser, weight, message):
    round_ = make.round_(contest, criteria=[])
    login(organiser)
    response = client.post(f"/manage/spring/rounds/{round_.id}/criteria/new",
                           data=_criterion_form(weight=weight))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert 'value="Relevance"' in page  # nothing typed is lost
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Criterion)) == 0


def test_criterion_weight_two_decimals_accepted(client, make, login, contest, organiser):
    round_ = make.round_(contest, criteria=[])
    login(organiser)
    client.post(f"/manage/spring/rounds/{round_.id}/criteria/new", data=_criterion_form(weight="1.25"))
    assert db.session.scalar(sa.select(Criterion.weight)) == Decimal("1.25")


@pytest.mark.parametrize("low,high", [("10", "10"), ("5", "3")])
def test_criterion_scale_min_not_below_max_refused(client, make, login, contest, organiser, low, high):
    round_ = make.round_(contest, criteria=[])
    login(organiser)
    page = client.post(f"/manage/spring/rounds/{round_.id}/criteria/new",
                       data=_criterion_form(min_score=low, max_score=high)).get_data(as_text=True)
    assert "The maximum must be greater than the minimum." in page


def test_round_windows_out_of_order_refused(client, login, contest, organiser):
    login(organiser)
    page = client.post("/manage/spring/rounds/new", data=_round_form(
        intake_closes_at="2026-03-01T00:00")).get_data(as_text=True)
    assert "The window must close after it opens." in page
    page = client.post("/manage/spring/rounds/new", data=_round_form(
        judging_opens_at="2026-03-01T00:00")).get_data(as_text=True)
    assert "Judging cannot open before the intake window opens." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Round)) == 0


def test_round_weight_validated(client, login, contest, organiser):
    login(organiser)
    page = client.post("/manage/spring/rounds/new", data=_round_form(weight="0.333")).get_data(as_text=True)
    assert "at most two decimal places" in page


def test_tie_break_from_other_round_refused(client, make, login, contest, organiser):
    first = make.round_(contest, key="first")
    second = make.round_(contest, key="second", criteria=[("x", "1", 0, 5)])
    login(organiser)
    foreign = second.criteria[0].id
    data = _round_form(key="first")
    data["tie_break"] = [str(first.criteria[1].id), str(foreign)]
    page = client.post(f"/manage/spring/rounds/{first.id}/edit", data=data).get_data(as_text=True)
    assert "A tie-break criterion must belong to this round." in page
    data["tie_break"] = [str(first.criteria[1].id), str(first.criteria[0].id)]
    assert client.post(f"/manage/spring/rounds/{first.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert [c.key for c in first.tie_break_criteria] == ["c2", "c1"]


def test_duplicate_nomination_key_refused(client, login, contest, organiser):
    login(organiser)
    page = client.post("/manage/spring/nominations/new", data={
        "key": "nom1", "title_ru": "Н", "title_en": "N"}).get_data(as_text=True)
    assert "This key is already used in this contest." in page


def test_nominations_reorder(client, login, contest, organiser):
    login(organiser)
    second = contest.nominations[1]
    client.post(f"/manage/spring/nominations/{second.id}/move/up")
    db.session.expire_all()
    assert [n.key for n in contest.nominations] == ["nom2", "nom1"]


def test_database_refuses_bad_criterion(app, make, contest):
    round_ = make.round_(contest, criteria=[])
    db.session.add(Criterion(round_id=round_.id, key="bad", weight=Decimal("0"), min_score=0, max_score=10))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()
    db.session.add(Criterion(round_id=round_.id, key="bad2", weight=Decimal("1"), min_score=5, max_score=5))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_settings_saved_with_declaration(client, login, contest, organiser):
    login(organiser)
    response = client.post("/manage/spring/settings", data={
        "title_ru": "Весна", "title_en": "Spring", "description_ru": "", "description_en": "",
        "timezone": "Asia/Krasnoyarsk", "declaration_ru": "Заявляю", "declaration_en": "I declare"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (contest.timezone, contest.declaration_en) == ("Asia/Krasnoyarsk", "I declare")


def test_settings_bad_timezone_refused(client, login, contest, organiser):
    login(organiser)
    page = client.post("/manage/spring/settings", data={
        "title_ru": "Весна", "title_en": "Spring", "timezone": "Mars/Olympus"}).get_data(as_text=True)
    assert "Not a valid choice" in page or "Unknown time zone" in page
