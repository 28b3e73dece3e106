"""The exchange format: export → import into an empty database → export gives an equal document."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import Attachment, Conflict, Contest, Entry, FormField, Review, User
from app.services import exchange
from app.services.platform import storage
from app.services.results.ranking import rank_round
from app.services.setup import contests
from tests import factories
from tests.conftest import _reset_database
from tests.results_helpers import judge, review


def rich_contest() -> Contest:
    """A contest that uses every part of the format."""
    contest = factories.contest(slug="rich-contest", nominations=3)
    contest.description_en = "About the contest"
    contest.declaration_ru = "Декларация"
    db.session.add_all([
        FormField(contest_id=contest.id, key="summary", type="textarea", label_en="Summary", label_ru="Кратко",
                  required=True, max_length=1000, position=0, help_en="Briefly"),
        FormField(contest_id=contest.id, key="region", type="select", label_en="Region", position=1,
                  options=[{"value": "krs", "label": {"en": "Krasnoyarsk", "ru": "Красноярск"}}]),
        FormField(contest_id=contest.id, key="consent", type="checkbox", label_ru="Согласие", position=2),
        FormField(contest_id=contest.id, key="budget", type="file", label_en="Budget", position=3,
                  accept=["xlsx"], max_size=10_000_000),
    ])
    first = factories.round_(contest, key="experts", criteria=[
        ("relevance", "2.0", 0, 10), ("coherence", "1.5", 0, 10), ("budget", "0.25", 1, 5)],
        pass_mark=Decimal("10"), disagreement_threshold=Decimal("7.5"), blind=True, weight=Decimal("0.7"))
    first.criteria[0].anchors_ru = "0 — нет"
    first.criteria[0].description_en = "Why it matters"
    contests.set_tie_breaks(first, [first.criteria[1], first.criteria[0]])
    second = factories.round_(contest, key="defence", criteria=[("clarity", "1", 0, 10)], method="median",
                              weight=Decimal("0.3"))
    db.session.commit()
    judges = [judge(first, factories.user(name=f"Judge {i}", organisation="Fund")) for i in range(3)]
    factories.jury_member(second, judges[0], nominations=[contest.nominations[1], contest.nominations[0]])
    invited = factories.jury_member(second, None)
    invited.status, invited.user_id, invited.email = "invited", None, "invited@example.org"
    entrant = factories.user(name="Ольга", locale="ru")
    entries = []
    for index in range(4):
        entries.append(factories.entry(
            contest, entrant=entrant if index < 2 else None, nomination=contest.nominations[index % 3],
            rounds=[first] if index else [first, second], title=f"Проект {index}",
            organisation="АНО «Вектор»", answers={"summary": f"Text {index}", "region": "krs", "consent": True},
            submitted_at=factories.NOW - timedelta(minutes=index)))
    entries[3].eligible = False
    entries[3].ineligible_reason = "Late"
    draft = factories.entry(contest, status="draft", eligible=None, answers={"summary": "half"})
    draft.title = "Draft"
    withdrawn = factories.entry(contest, status="withdrawn", eligible=None)
    assert withdrawn.number is not None
    db.session.add(Attachment(entry_id=entries[0].id, field_key="budget", storage_key="k/1", filename="b.xlsx",
                              size=3, sha256=hashlib.sha256(b"abc").hexdigest(), content_type="application/x",
                              uploaded_at=factories.NOW))
    db.session.add(Conflict(entry_id=entries[1].id, user_id=judges[2].id, source="judge", reason="My NGO",
                            created_at=factories.NOW))
    for entry in entries[:3]:
        for j in judges[:2]:
            factories.assignment(first, entry, j)
    review(first, entries[0], judges[0], [7, 8, 5], feedback="Strong", comment="Good")
    review(first, entries[0], judges[1], [3, 2, 1])
    review(first, entries[1], judges[0], {"relevance": 9}, status="draft")
    review(second, entries[0], judges[0], [6])
    db.session.commit()
    return contest


def _empty_database() -> None:
    db.session.remove()
    _reset_database()


def _roundtrip(document: dict) -> dict:
    _empty_database()
    contest = exchange.import_contest(json.loads(json.dumps(document)))
    db.session.commit()
    db.session.expire_all()
    return json.loads(json.dumps(exchange.export_contest(contest)))


def test_export_import_export_gives_equal_document(app):
    first = json.loads(exchange.export_json(rich_contest()))
    second = _roundtrip(first)
    assert second == first


def test_export_follows_the_spec_shape(app):
    document = exchange.export_contest(rich_contest())
    assert (document["format"], document["version"]) == ("formula-jury/contest", 2)
    assert [r["key"] for r in document["rounds"]] == ["experts", "defence"]
    experts = document["rounds"][0]
    assert experts["tie_break"] == ["coherence", "relevance"]
    assert [c["weight"] for c in experts["criteria"]] == ["2", "1.5", "0.25"]
    assert (experts["pass_mark"], experts["disagreement_threshold"], experts["weight"]) == ("10", "7.5", "0.7")
    assert experts["intake_opens_at"].endswith("+03:00")
    assert [p["email"] for p in document["people"]] == sorted(p["email"] for p in document["people"])
    assert "password" not in json.dumps(document)
    numbers = [e.get("number") for e in document["entries"]]
    assert numbers[:-1] == sorted(numbers[:-1]) and numbers[-1] is None  # the draft has no number
    keys = [(r["round"], r["entry"], r["email"]) for r in document["reviews"]]
    assert keys == sorted(keys, key=lambda k: (["experts", "defence"].index(k[0]), k[1], k[2]))
    submitted = document["reviews"][0]
    assert submitted["scores"] == {"relevance": 7, "coherence": 8, "budget": 5}
    assert submitted["submitted_at"].endswith("+03:00")


def test_import_gives_people_accounts_without_passwords(app):
    document = exchange.export_contest(rich_contest())
    _empty_database()
    exchange.import_contest(document)
    db.session.commit()
    users = db.session.scalars(sa.select(User)).all()
    assert len(users) == len(document["people"])
    assert all(u.password_hash is None for u in users)


def test_import_recomputes_totals_and_ranks_the_same(app):
    contest = rich_contest()
    before = [(r.number, r.score, r.rank) for r in rank_round(contest.rounds[0]).rows]
    document = exchange.export_contest(contest)
    _empty_database()
    imported = exchange.import_contest(document)
    db.session.commit()
    after = [(r.number, r.score, r.rank) for r in rank_round(imported.rounds[0]).rows]
    assert after == before
    totals = sorted(db.session.scalars(sa.select(Review.total).where(Review.total.is_not(None))))
    assert totals == [Decimal("6"), Decimal("9.25"), Decimal("27.25")]


def test_export_zip_with_files_round_trips(app):
    contest = rich_contest()
    stored = storage.store("imports/original", io.BytesIO(b"abc"), content_type="application/x")
    attachment = db.session.scalar(sa.select(Attachment))
    attachment.storage_key = stored.key
    db.session.commit()
    data = exchange.export_zip(contest)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(archive.namelist()) == ["contest.json", f"files/{attachment.sha256}"]
        first = json.loads(archive.read("contest.json"))
    _empty_database()
    document, files = exchange.read_upload(data)
    imported = exchange.import_contest(document, files=files)
    db.session.commit()
    copy = db.session.scalar(sa.select(Attachment))
    assert b"".join(storage.get_storage().iter_chunks(copy.storage_key)) == b"abc"
    assert json.loads(json.dumps(exchange.export_contest(imported))) == first


def test_import_refuses_an_existing_slug(app):
    document = exchange.export_contest(rich_contest())
    try:
        exchange.import_contest(document)
    except exchange.ExchangeError as error:
        assert error.path == "contest.slug"
    else:
        raise AssertionError("imported twice")


def test_import_minimal_document_from_another_tool(app):
    document = {
        "format": "formula-jury/contest", "version": 1,
        "contest": {"slug": "other-tool", "title": {"en": "Other"}, "timezone": "Asia/Krasnoyarsk"},
        "nominations": [{"key": "n", "title": {"ru": "Н"}}],
        "rounds": [{"key": "r", "title": {"en": "R"}, "method": "trimmed",
                    "criteria": [{"key": "c", "title": {"en": "C"}, "weight": 1.25, "min": 0, "max": 10}]}],
        "people": [{"email": "A@Example.org", "name": "A"}, {"email": "j@example.org", "name": "J"}],
        "jury": [{"round": "r", "email": "j@example.org"}],
        "entries": [{"number": 5, "nomination": "n", "entrant": "a@example.org", "title": "T",
                     "status": "submitted", "submitted_at": "2026-04-01T10:00:00+07:00", "rounds": ["r"]}],
        "reviews": [{"round": "r", "entry": 5, "email": "J@example.org", "status": "submitted",
                     "submitted_at": "2026-05-01T10:00:00Z", "scores": {"c": 8}}],
    }
    contest = exchange.import_contest(document)
    db.session.commit()
    row = rank_round(contest.rounds[0]).rows[0]
    assert (row.number, row.display_score) == (5, Decimal("10.00"))


def test_import_without_rounds_or_jury_lists_infers_them(app):
    document = {
        "format": "formula-jury/contest", "version": 1,
        "contest": {"slug": "sparse", "title": {"en": "Sparse"}},
        "rounds": [{"key": "r", "title": {"en": "R"},
                    "criteria": [{"key": "c", "title": {"en": "C"}, "weight": "1", "min": 0, "max": 10}]}],
        "people": [{"email": "a@example.org"}, {"email": "b@example.org"}, {"email": "j@example.org"}],
        "entries": [
            {"number": 1, "entrant": "a@example.org", "status": "submitted",
             "submitted_at": "2026-04-01T10:00:00+03:00"},
            {"number": 2, "entrant": "b@example.org", "status": "submitted", "eligible": True,
             "submitted_at": "2026-04-01T11:00:00+03:00"},
        ],
        "reviews": [{"round": "r", "entry": 1, "email": "j@example.org", "status": "submitted",
                     "scores": {"c": 4}}],
    }
    contest = exchange.import_contest(document)
    db.session.commit()
    ranking = rank_round(contest.rounds[0])
    assert [(row.number, row.reviews) for row in ranking.rows] == [(1, 1), (2, 0)]
    exported = exchange.export_contest(contest)
    assert exported["jury"] == [{"round": "r", "email": "j@example.org", "nominations": []}]
    assert [e["rounds"] for e in exported["entries"]] == [["r"], ["r"]]


def test_import_zip_refuses_a_file_that_does_not_match_its_hash(app):
    contest = rich_contest()
    stored = storage.store("imports/original", io.BytesIO(b"abc"), content_type="application/x")
    db.session.scalar(sa.select(Attachment)).storage_key = stored.key
    db.session.commit()
    data = exchange.export_zip(contest)
    document, files = exchange.read_upload(data)
    _empty_database()
    (name,) = files
    files[name] = b"abd"
    try:
        exchange.import_contest(document, files=files)
    except exchange.ExchangeError as error:
        assert error.path.endswith(".attachments[0].sha256")
    else:
        raise AssertionError("a corrupt file was imported")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contest)) == 0


def test_results_travel_with_the_contest_and_read_the_same(app):
    """Version 2: frozen snapshots (a superseded one too), awards, publication with a correction and
    the audit log survive export → import → export, and the imported contest reads the same results."""
    from app.services.results import finalising
    from app.services.results import outcomes as results_service
    from app.services.results.reading import round_results

    contest = rich_contest()
    first, second = contest.rounds
    organiser = factories.user(name="Organiser", email="org@example.org")
    contests.appoint_organiser(contest, organiser)

    def finalise(round_):
        items = finalising.finalise_checklist(round_)
        results_service.finalise_round(round_, actor=organiser, confirmed={i.key for i in items}, reason="moving")

    finalise(first)
    results_service.reopen_round(first, actor=organiser, reason="one more look")
    finalise(first)
    finalise(second)
    entry = db.session.scalar(sa.select(Entry).where(Entry.contest_id == contest.id, Entry.number.is_not(None))
                              .order_by(Entry.number))
    results_service.add_award(contest, entry=entry, title_en="Audience award", actor=organiser)
    results_service.publish_results(contest, actor=organiser, notify=False)
    results_service.add_award(contest, entry=entry, title_ru="Приз жюри", actor=organiser, correction="Forgotten")
    db.session.commit()
    before = [(row.number, row.rank, row.display_score, row.tie_broken_by) for row in round_results(first).rows]

    document = json.loads(exchange.export_json(contest))
    assert len(document["snapshots"]) == 3 and document["snapshots"][0]["superseded_at"] is not None
    assert document["publication"]["published_at"] and len(document["awards"]) == 2
    assert [e["action"] for e in document["audit"]].count("results.correct") == 1
    second_export = _roundtrip(document)
    assert second_export == document
    imported = db.session.scalar(sa.select(Contest))
    experts = imported.rounds[0]
    assert experts.finalised_at is not None and imported.is_published
    after = [(row.number, row.rank, row.display_score, row.tie_broken_by) for row in round_results(experts).rows]
    assert after == before
    assert [c.reason for c in results_service.corrections(imported)] == ["Forgotten"]


def test_version_1_document_cannot_carry_version_2_keys(app):
    document = exchange.export_contest(rich_contest())
    document["version"] = 1
    _empty_database()
    try:
        exchange.import_contest(json.loads(json.dumps(document)))
        raise AssertionError("a version-1 document with snapshots was accepted")
    except exchange.ExchangeError as error:
        assert error.path == "snapshots"
