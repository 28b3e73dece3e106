"""Issue 15: random sequences of organiser and judge actions on a small contest keep one truth.

A Hypothesis rule-based state machine saves, submits and reopens reviews, changes criterion
weights (through the change of the rules of a round in progress), declares conflicts, finalises
and reopens the round, advances, awards places, publishes, corrects and withdraws. After every
step, for every entry of the first round, the organiser's page, the public page (once published),
the entrant's page (once published), the CSV and the JSON export agree on its total and rank;
places awarded from the ranking equal ranks; and every stored review total is Σ w_c · s_c of its
scores. Actions the rules refuse are tried too: they must be refused without changing anything.

Bounded (max_examples, stateful_step_count) so it runs in seconds on each database.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from app.extensions import db
from app.i18n import format_decimal_half_up
from app.models import Award, Review
from app.services.jury import members as jury
from app.services.results import export as results_export
from app.services.results import finalising
from app.services.results import outcomes as results_service
from app.services.results.outcomes import ResultsError
from app.services.results.reading import round_results
from app.services.roundrules import changes as rule_changes
from app.services.scoring import reviews as scoring
from app.services.setup import contests
from app.services.setup.lifecycle import LifecycleError
from tests import factories
from tests import scoring_helpers as sh
from tests.conftest import _reset_database

JUDGES, ENTRIES = 3, 4
SCORE = st.integers(min_value=0, max_value=10)
ROW = re.compile(r"<tr[^>]*>\s*<td[^>]*>(\d+|—)</td>\s*<td[^>]*>(\d+)</td>"
                 r".*?<td class=\"text-end fw-semibold\">([^<]*)</td>", re.S)


class Contest(RuleBasedStateMachine):
    app = None
    client = None

    def __init__(self):
        super().__init__()
        db.session.remove()
        _reset_database()
        self.app.config["NOW"] = sh.JUDGING
        self.organiser = factories.user(name="Organiser")
        self.contest = factories.contest(organiser=self.organiser, nominations=1)
        self.round = factories.round_(self.contest, key="experts",
                                      criteria=[("relevance", "2", 0, 10), ("coherence", "1", 0, 10)])
        self.second = factories.round_(self.contest, key="defence", criteria=[("pitch", "1", 0, 10)])
        contests.set_tie_breaks(self.round, [self.round.criteria[0]])
        self.judges = [sh.judge(self.round, name=f"Judge {i}") for i in range(JUDGES)]
        self.entries = [factories.entry(self.contest, rounds=[self.round],
                                        submitted_at=factories.NOW - timedelta(minutes=i)) for i in range(ENTRIES)]
        for entry in self.entries:
            for judge in self.judges:
                sh.assign(self.round, entry, judge)
        db.session.commit()

    # --- judges ----------------------------------------------------------------------------

    def _judge_acts(self, action) -> None:
        frozen = self.round.finalised_at is not None
        before = self._totals()
        try:
            scoring.retry_once(action)
        except scoring.ScoringError:
            db.session.rollback()
            assert self._totals() == before
            return
        assert not frozen, "a judge changed a finalised round"
        db.session.commit()

    @rule(judge=st.integers(0, JUDGES - 1), entry=st.integers(0, ENTRIES - 1), a=SCORE)
    def save_draft(self, judge, entry, a):
        data = scoring.ReviewInput(scores={self.round.criteria[0].id: a})
        self._judge_acts(lambda: scoring.save_draft(round_=self.round, entry=self.entries[entry],
                                                    judge=self.judges[judge], data=data))

    @rule(judge=st.integers(0, JUDGES - 1), entry=st.integers(0, ENTRIES - 1), a=SCORE, b=SCORE)
    def submit(self, judge, entry, a, b):
        data = scoring.ReviewInput(scores={self.round.criteria[0].id: a, self.round.criteria[1].id: b})
        self._judge_acts(lambda: scoring.submit_review(round_=self.round, entry=self.entries[entry],
                                                       judge=self.judges[judge], data=data))

    @rule(judge=st.integers(0, JUDGES - 1), entry=st.integers(0, ENTRIES - 1))
    def reopen_review(self, judge, entry):
        review = scoring.find_review(round_=self.round, entry=self.entries[entry], judge=self.judges[judge])
        if review is None or review.status != "submitted":
            return
        self._judge_acts(lambda: scoring.reopen_review(review=review, actor=self.organiser, reason="check"))

    @rule(judge=st.integers(0, JUDGES - 1), entry=st.integers(0, ENTRIES - 1))
    def declare_conflict(self, judge, entry):
        before = round_results(self.round).rows if self.round.finalised_at else None
        jury.declare_conflict(entry=self.entries[entry], user=self.judges[judge], reason="related")
        db.session.commit()
        if before is not None:
            after = round_results(self.round).rows
            assert [(r.entry_id, r.rank, r.score) for r in after] == [(r.entry_id, r.rank, r.score) for r in before]

    # --- organiser ---------------------------------------------------------------------------

    @rule(which=st.integers(0, 1), weight=st.sampled_from(["1", "2", "3", "0.5"]))
    def change_weight(self, which, weight):
        criterion = self.round.criteria[which]
        try:
            rule_changes.edit_criterion(criterion, values={"weight": Decimal(weight)}, reason="board decision",
                                        actor=self.organiser)
        except LifecycleError:
            db.session.rollback()
            assert self.round.finalised_at is not None
            return
        assert self.round.finalised_at is None
        db.session.commit()

    @rule()
    def finalise(self):
        items = finalising.finalise_checklist(self.round)
        try:
            results_service.finalise_round(self.round, actor=self.organiser, confirmed={i.key for i in items},
                                           reason="test")
        except ResultsError:
            db.session.rollback()
            return
        db.session.commit()

    @rule()
    def reopen(self):
        try:
            results_service.reopen_round(self.round, actor=self.organiser, reason="one more look")
        except ResultsError:
            db.session.rollback()
            return
        assert not self.contest.is_published
        db.session.commit()

    @rule()
    def advance(self):
        try:
            results_service.advance_entries(self.round, mode="top", count=2, actor=self.organiser)
        except ResultsError:
            db.session.rollback()
            return
        db.session.commit()

    @rule()
    def award_places(self):
        try:
            results_service.award_places(self.contest, places=2, actor=self.organiser,
                                         correction="places named late" if self.contest.is_published else None)
        except ResultsError:
            db.session.rollback()
            return
        db.session.commit()

    @rule()
    def publish(self):
        try:
            results_service.publish_results(self.contest, actor=self.organiser, notify=False)
        except ResultsError:
            db.session.rollback()
            return
        db.session.commit()

    @rule()
    def unpublish(self):
        try:
            results_service.unpublish_results(self.contest, actor=self.organiser, reason="mistake")
        except ResultsError:
            db.session.rollback()
            return
        db.session.commit()

    @rule(entry=st.integers(0, ENTRIES - 1))
    def correct(self, entry):
        try:
            results_service.add_award(self.contest, entry=self.entries[entry], title_en="Jury prize",
                                      actor=self.organiser, correction="added after publication")
        except ResultsError:
            db.session.rollback()
            return
        db.session.commit()

    # --- what must always hold -----------------------------------------------------------------

    def _totals(self):
        return sorted((r.id, r.status, r.total) for r in db.session.scalars(sa.select(Review)))

    @invariant()
    def stored_totals_are_weighted_sums(self):
        for review in db.session.scalars(sa.select(Review).where(Review.status == "submitted")):
            values, _comments = scoring.review_values(review)
            criteria = db.session.get(type(self.round), review.round_id).criteria
            assert Decimal(review.total) == scoring.review_total(criteria=criteria, values=values)

    @invariant()
    def every_reading_agrees(self):
        db.session.expire_all()
        ranking = round_results(self.round)
        truth = {row.number: (str(row.rank) if row.rank else "—",
                              format_decimal_half_up(row.display_score) if not row.unrated else "—")
                 for row in ranking.rows}
        csv_rows = list(csv.reader(io.StringIO(results_export.results_csv(self.round).lstrip("\ufeff"))))[1:]
        assert {int(r[3]): (r[2] or "—", format_decimal_half_up(Decimal(r[6])) if r[6] else "—")
                for r in csv_rows} == truth
        document = results_export.results_document(self.round)
        assert {r["entry"]: (str(r["rank"]), format_decimal_half_up(Decimal(r["score"])))
                for r in document["rankings"]} == {n: v for n, v in truth.items() if v[0] != "—"}
        with self.client.session_transaction() as session:
            session.clear()
        self.client.post("/auth/login", data={"email": self.organiser.email, "password": factories.PASSWORD})
        page = self.client.get(f"/manage/{self.contest.slug}/results?round={self.round.id}").get_data(as_text=True)
        assert {int(n): (rank, score) for rank, n, score in ROW.findall(page)} == truth
        if self.contest.is_published:
            public = self.client.get(f"/c/{self.contest.slug}/results").get_data(as_text=True)
            section = public.split(f'id="round-{self.round.id}"', 1)[1]
            if f'id="round-{self.second.id}"' in section:
                section = section.split(f'id="round-{self.second.id}"', 1)[0]
            assert {int(n): (rank, score) for rank, n, score in ROW.findall(section)} == truth
            first = ranking.rows[0]
            entry = next(e for e in self.entries if e.id == first.entry_id)
            self.client.post("/auth/login", data={"email": entry.entrant.email, "password": factories.PASSWORD})
            own = self.client.get(f"/c/{self.contest.slug}/results/entry/{entry.id}").get_data(as_text=True)
            if not first.unrated:
                assert f"rank {first.rank} of" in own
                assert f'data-testid="score">{truth[first.number][1]}<' in own
        deciding = results_service.deciding_ranking(self.contest)
        ranks = {row.entry_id: row.rank for row in deciding.rows} if deciding else {}
        for award in db.session.scalars(sa.select(Award).where(Award.place.is_not(None))):
            assert ranks.get(award.entry_id) == award.place


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
def test_random_actions_keep_one_truth(app, client):
    Contest.app, Contest.client = app, client
    run_state_machine_as_test(Contest, settings=settings(
        max_examples=8, stateful_step_count=12, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
