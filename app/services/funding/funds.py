"""Setting up funds: one per nomination and/or one for the contest (DESIGN §3b)."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Contest, FormField, Fund, FundingPlan, Round, User
from app.services.platform.audit import record_event
from app.services.platform.money import AMOUNT_MAX, CURRENCIES, amount_text, currency_mismatch


class FundError(ValueError):
    """A fund that cannot be saved or changed now; the message is translated, `field` names the
    value of the Funds form it is about."""

    def __init__(self, message: str, field: str = "amount"):
        super().__init__(message)
        self.field = field


def contest_funds(contest: Contest) -> list[Fund]:
    """The contest's funds: per nomination in form order, the contest-wide fund last."""
    funds = db.session.scalars(sa.select(Fund).where(Fund.contest_id == contest.id)
                               .options(selectinload(Fund.nomination))).all()
    positions = {n.id: n.position for n in contest.nominations}
    return sorted(funds, key=lambda f: (f.nomination_id is None, positions.get(f.nomination_id, 0), f.id))


def requested_currency(contest_id: int) -> str | None:
    """The currency the form's requested amount is asked in (None without such a field)."""
    return db.session.scalar(sa.select(FormField.currency).where(
        FormField.contest_id == contest_id, FormField.type == "amount", FormField.requested.is_(True)))


def funds_currency_problem(contest: Contest) -> str | None:
    """The funds as they stand against the requested field (an import or an older set-up may disagree)."""
    return currency_mismatch(requested_currency(contest.id), [f.currency for f in contest_funds(contest)])


def fund_change_refusal(contest: Contest) -> str | None:
    """§3a for funds: they shape a confirmed allocation, so they are locked while one stands."""
    confirmed = db.session.scalar(
        sa.select(sa.func.count()).select_from(FundingPlan).join(Round, Round.id == FundingPlan.round_id)
        .where(Round.contest_id == contest.id, FundingPlan.confirmed_at.is_not(None)))
    if confirmed:
        return _("An allocation made from these funds is confirmed: withdraw its confirmation before "
                 "changing the funds.")
    return None


def fund_problem(*, amount: Decimal | None, currency: str, min_grant: Decimal | None,
                 max_grant: Decimal | None) -> str | None:
    """The first thing wrong with a fund's values (pages, CLI and import all ask here)."""
    if amount is None or amount < 0:
        return _("Give the fund's amount (zero or more).")
    if currency not in CURRENCIES:
        return _("Unknown currency: %(currency)s.", currency=currency)
    for value in (amount, min_grant, max_grant):
        if value is not None and (value > AMOUNT_MAX or value != value.quantize(Decimal("0.01"))):
            return _("An amount has at most two decimals (kopecks), for example 1500000,50.")
    if max_grant is not None and max_grant <= 0:
        return _("The maximum grant must be above zero.")
    if min_grant is not None and min_grant < 0:
        return _("The minimum grant cannot be negative.")
    if min_grant is not None and max_grant is not None and min_grant > max_grant:
        return _("The minimum grant is above the maximum grant.")
    return None


def fund_values(fund: Fund) -> dict:
    """A fund as the exchange document, the audit log and the API write it (amounts as strings)."""
    return {"nomination": fund.nomination.key if fund.nomination else None, "amount": amount_text(fund.amount),
            "currency": fund.currency,
            "min_grant": amount_text(fund.min_grant) if fund.min_grant is not None else None,
            "max_grant": amount_text(fund.max_grant) if fund.max_grant is not None else None}


def set_fund(contest: Contest, *, nomination_id: int | None, amount: Decimal, currency: str = "RUB",
             min_grant: Decimal | None = None, max_grant: Decimal | None = None,
             actor: User | None = None) -> Fund:
    """Creates or changes the fund of a nomination (or, with no nomination, the contest's)."""
    refusal = fund_change_refusal(contest)
    if refusal:
        raise FundError(refusal)
    problem = fund_problem(amount=amount, currency=currency, min_grant=min_grant, max_grant=max_grant)
    if problem:
        raise FundError(problem)
    if nomination_id is not None and nomination_id not in {n.id for n in contest.nominations}:
        raise FundError(_("Choose one of the contest's nominations."))
    fund = db.session.scalar(sa.select(Fund).where(
        Fund.contest_id == contest.id,
        Fund.nomination_id.is_(None) if nomination_id is None else Fund.nomination_id == nomination_id))
    mismatch = currency_mismatch(requested_currency(contest.id), [currency, *(
        f.currency for f in contest_funds(contest) if f is not fund)])
    if mismatch:
        raise FundError(mismatch, field="currency")
    old = fund_values(fund) if fund is not None else None
    if fund is None:
        fund = Fund(contest_id=contest.id, nomination_id=nomination_id)
        db.session.add(fund)
    fund.amount, fund.currency, fund.min_grant, fund.max_grant = amount, currency, min_grant, max_grant
    db.session.flush()
    db.session.refresh(fund, ["nomination"])
    record_event(contest_id=contest.id, actor_id=actor.id if actor else None, action="fund.set",
                 object_type="fund", object_id=fund.id, old=old, new=fund_values(fund))
    return fund


def delete_fund(fund: Fund, *, actor: User | None = None) -> None:
    contest = db.session.get(Contest, fund.contest_id)
    refusal = fund_change_refusal(contest)
    if refusal:
        raise FundError(refusal)
    record_event(contest_id=fund.contest_id, actor_id=actor.id if actor else None, action="fund.delete",
                 object_type="fund", object_id=fund.id, old=fund_values(fund))
    db.session.delete(fund)
    db.session.flush()
