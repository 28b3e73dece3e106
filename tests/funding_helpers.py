"""Test data for funding: a finalised round whose entries ask for amounts, and funds."""

from __future__ import annotations

from decimal import Decimal

from app.extensions import db
from app.services.funding import funds
from app.services.intake import application_form
from app.services.results import finalising
from app.services.results import outcomes as results_service
from tests import factories
from tests.results_helpers import judge, one_criterion_round, review


class Funded:
    """Two nominations; per nomination, entries with (score, requested amount in roubles)."""

    def __init__(self, first: list[tuple[int, str | None]], second: list[tuple[int, str | None]] = (), *,
                 pass_mark: str | None = "30", finalise: bool = True):
        self.organiser = factories.user(name="Organiser Olga")
        self.contest = factories.contest(organiser=self.organiser, nominations=2)
        application_form.add_field(self.contest, key="requested", type="amount", label_en="Requested",
                                   label_ru="Запрошено", requested=True)
        self.round = one_criterion_round(self.contest, pass_mark=Decimal(pass_mark) if pass_mark else None)
        self.judge = judge(self.round, factories.user(name="Judge"))
        self.entries = []
        for nomination, items in zip(self.contest.nominations, (first, second), strict=False):
            for score, asked in items:
                entry = factories.entry(self.contest, nomination=nomination, rounds=[self.round],
                                        answers={"requested": asked} if asked is not None else {})
                if score is not None:
                    review(self.round, entry, self.judge, [score])
                self.entries.append(entry)
        db.session.commit()
        if finalise:
            self.finalise()

    def finalise(self):
        items = finalising.finalise_checklist(self.round)
        results_service.finalise_round(self.round, actor=self.organiser, confirmed={i.key for i in items},
                                       reason="test set-up" if items else "")
        db.session.commit()

    def fund(self, amount: str, *, nomination: int | None = 0, min_grant: str | None = None,
             max_grant: str | None = None):
        nomination_id = self.contest.nominations[nomination].id if nomination is not None else None
        created = funds.set_fund(self.contest, nomination_id=nomination_id, amount=Decimal(amount),
                                 min_grant=Decimal(min_grant) if min_grant else None,
                                 max_grant=Decimal(max_grant) if max_grant else None, actor=self.organiser)
        db.session.commit()
        return created

    def number(self, index: int) -> int:
        return self.entries[index].number
