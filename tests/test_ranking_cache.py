"""Issue 23: the ranking cache (results.cache) never serves a stale ranking.

Each event that changes a ranking (a review submitted or reopened, a rule change, a conflict
declared, finalising, reopening the round, an import) is tried with the ranking already kept, and
the next reading must show the change; then the same across two app instances sharing the
database (each with its own kept rankings, as two processes). Runs on SQLite and, with
TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal

import sqlalchemy as sa

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.models import Entry, Round
from app.services.jury import members
from app.services.results import outcomes as results_service
from app.services.results.reading import round_results
from app.services.roundrules import changes as roundrules
from app.services.scoring import reviews as scoring
from tests import factories
from tests import scoring_helpers as sh


def _ranked(round_: Round) -> dict[int, tuple]:
    return {row.entry_id: (row.score, row.rank, row.reviews, row.title) for row in round_results(round_).rows}


def _kept(round_: Round) -> dict[int, tuple]:
    """The ranking, read twice: the second reading is the kept one (same rows)."""
    first = round_results(round_)
    second = round_results(round_)
    assert second.rows is first.rows, "the ranking was not kept"
    return _ranked(round_)


def _scene(freeze, entries: int = 2):
    s = sh.scene(entries=entries)
    freeze(sh.JUDGING)
    return s


def _submit(s, entry, scores):
    scoring.submit_review(round_=s.round, entry=entry, judge=s.judge,
                          data=scoring.ReviewInput(scores=dict(zip([c.id for c in s.round.criteria], scores,
                                                                   strict=True))))
    db.session.commit()


def test_submit_shows_in_the_next_reading(app, freeze):
    s = _scene(freeze)
    before = _kept(s.round)
    assert before[s.entries[0].id][2] == 0
    _submit(s, s.entries[0], [5, 5])
    after = _ranked(s.round)
    assert after[s.entries[0].id][2] == 1 and after[s.entries[0].id][1] == 1


def test_revised_review_shows(app, freeze):
    s = _scene(freeze)
    _submit(s, s.entries[0], [5, 5])
    old = _kept(s.round)[s.entries[0].id][0]
    _submit(s, s.entries[0], [9, 9])
    assert _ranked(s.round)[s.entries[0].id][0] != old


def test_reopened_review_leaves_the_ranking(app, freeze):
    s = _scene(freeze)
    _submit(s, s.entries[0], [5, 5])
    assert _kept(s.round)[s.entries[0].id][2] == 1
    written = scoring.find_review(round_=s.round, entry=s.entries[0], judge=s.judge)
    scoring.reopen_review(review=written, actor=s.organiser, reason="check the second criterion")
    db.session.commit()
    assert _ranked(s.round)[s.entries[0].id][2] == 0


def test_rule_change_shows(app, freeze):
    s = _scene(freeze)
    _submit(s, s.entries[0], [2, 8])
    _submit(s, s.entries[1], [8, 2])
    before = _kept(s.round)
    first = s.round.criteria[0]
    roundrules.edit_criterion(first, values={"weight": Decimal("3")}, reason="the first counts more",
                              actor=s.organiser)
    db.session.commit()
    after = _ranked(s.round)
    assert after != before
    assert after[s.entries[1].id][1] == 1


def test_method_change_shows(app, freeze):
    s = _scene(freeze)
    _submit(s, s.entries[0], [2, 8])
    _kept(s.round)
    roundrules.edit_round(s.round, values={"pass_mark": Decimal("50")}, reason="a pass mark now",
                          actor=s.organiser)
    db.session.commit()
    assert round_results(s.round).rows[0].below_pass_mark


def test_conflict_declaration_withdraws_the_review(app, freeze):
    s = _scene(freeze)
    _submit(s, s.entries[0], [5, 5])
    assert _kept(s.round)[s.entries[0].id][2] == 1
    members.declare_conflict(entry=s.entries[0], user=s.judge, reason="my former student")
    db.session.commit()
    assert _ranked(s.round)[s.entries[0].id][2] == 0


def test_entry_title_change_shows(app, freeze):
    s = _scene(freeze)
    _kept(s.round)
    entry = db.session.get(Entry, s.entries[0].id)
    entry.title = "A new title"
    db.session.commit()
    assert _ranked(s.round)[entry.id][3] == "A new title"


def test_finalise_and_reopen_round(app, freeze):
    s = _scene(freeze)
    _submit(s, s.entries[0], [5, 5])
    _kept(s.round)
    from tests.test_results_lifecycle import _finalise_anyway

    _finalise_anyway(s.round, s.organiser)
    frozen = round_results(s.round)
    assert frozen.frozen
    # Kept as well, without reading the snapshot's JSON again.
    again = round_results(s.round)
    assert again.rows is frozen.rows and again.snapshot.data["rows"]
    results_service.reopen_round(s.round, actor=s.organiser, reason="one more review")
    db.session.commit()
    live = round_results(s.round)
    assert not live.frozen
    _submit(s, s.entries[1], [9, 9])
    assert _ranked(s.round)[s.entries[1].id][1] == 1


def test_import_shows_its_reviews(app, freeze):
    """An imported contest is ranked from what was imported (its rounds are new, their versions
    random), even where the process keeps a ranking of a round with the same id."""
    from app.services.exchange.export import export_contest
    from app.services.exchange.importing import import_contest

    s = _scene(freeze)
    _submit(s, s.entries[0], [5, 5])
    document = export_contest(s.contest)
    kept = _kept(s.round)
    document["contest"]["slug"] = "imported"
    imported = import_contest(document, actor=s.organiser)
    db.session.commit()
    round_ = imported.rounds[0]
    assert sorted(v[2] for v in _ranked(round_).values()) == sorted(v[2] for v in kept.values())


def test_a_rolled_back_change_is_never_kept(app, freeze):
    s = _scene(freeze)
    _kept(s.round)
    scoring.submit_review(round_=s.round, entry=s.entries[0], judge=s.judge,
                          data=scoring.ReviewInput(scores={c.id: 7 for c in s.round.criteria}))
    # Read inside the writing transaction: it sees its own write ...
    assert _ranked(s.round)[s.entries[0].id][2] == 1
    db.session.rollback()
    # ... which, rolled back, is not served afterwards.
    assert _ranked(s.round)[s.entries[0].id][2] == 0
    _submit(s, s.entries[1], [3, 3])
    assert _ranked(s.round)[s.entries[0].id][2] == 0 and _ranked(s.round)[s.entries[1].id][2] == 1


def test_two_app_instances_sharing_the_database(app, tmp_path, freeze):
    """Instance B keeps the results page's ranking; a judge submits on instance A; B's next
    request shows the submitted review."""
    url = str(db.engine.url)
    if db.engine.dialect.name == "sqlite":
        url = f"sqlite:///{tmp_path / 'shared.sqlite'}"

    class Shared(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    first, second = create_app(Shared), create_app(Shared)
    for instance in (first, second):
        instance.config.update(STORAGE_DIR=str(tmp_path / "uploads"), STASH_DIR=str(tmp_path / "stash"),
                               NOW=sh.JUDGING.replace(tzinfo=UTC))
        instance.test_client_class = app.test_client_class
    with first.app_context():
        if db.engine.dialect.name == "sqlite":
            db.create_all()
        s = sh.scene(entries=2)
        slug, round_id = s.contest.slug, s.round.id
        entry_id, judge_email, organiser_email = s.entries[0].id, s.judge.email, s.organiser.email
        criteria = [c.id for c in s.round.criteria]
    organiser_b = second.test_client()
    assert organiser_b.post("/auth/login", data={"email": organiser_email,
                                                 "password": factories.PASSWORD}).status_code == 302
    page = f"/manage/{slug}/results?round={round_id}"

    def shown_reviews() -> int:
        with second.app_context():
            round_ = db.session.get(Round, round_id)
            return round_results(round_).by_entry()[entry_id].reviews

    assert organiser_b.get(page).status_code == 200
    assert shown_reviews() == 0
    judge_a = first.test_client()
    assert judge_a.post("/auth/login", data={"email": judge_email, "password": factories.PASSWORD}).status_code == 302
    data = {f"score_{cid}": "6" for cid in criteria}
    data["action"] = "submit"
    answer = judge_a.post(f"/jury/rounds/{round_id}/entries/{entry_id}", data=data)
    assert answer.status_code in (200, 302, 303)
    with first.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM review WHERE status = 'submitted'")) == 1
    assert shown_reviews() == 1
    assert organiser_b.get(page).status_code == 200
    for instance in (first, second):
        with instance.app_context():
            db.session.remove()
            db.engine.dispose()
