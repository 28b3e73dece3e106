"""`flask funding` prints a proposal as contest-exchange.md says; the audit log reads the funding steps."""

from __future__ import annotations

import json
from decimal import Decimal

from flask_babel import force_locale

from app.extensions import db
from app.models import AuditEvent
from app.services.funding import allocation
from app.services.platform.audit_text import AuditNames, describe_event
from tests.funding_helpers import Funded


def test_funding_command_prints_the_proposal(app, runner):
    f = Funded([(90, "1500000"), (80, "2000000"), (70, "1000000")])
    f.fund("3000000")
    result = runner.invoke(args=["funding", f.contest.slug, f.round.key, "--rule", "best", "--objective", "count",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["rule"] == "best" and document["objective"] == "count"
    assert [item["entry"] for item in document["funds"][0]["funded"]] == [f.number(0), f.number(2)]
    assert set(document["funds"][0]) == {"nomination", "amount", "allocated", "left", "funded", "skipped"}


def test_funding_command_refuses_an_open_round_and_unknown_names(app, runner):
    f = Funded([(90, "100")], finalise=False)
    result = runner.invoke(args=["funding", f.contest.slug, f.round.key, "--rule", "skip"])
    assert result.exit_code != 0 and "finalise the round first" in result.output
    assert runner.invoke(args=["funding", "nope", f.round.key, "--rule", "skip"]).exit_code != 0
    assert runner.invoke(args=["funding", f.contest.slug, "nope", "--rule", "skip"]).exit_code != 0
    assert runner.invoke(args=["funding", f.contest.slug, f.round.key, "--rule", "greedy"]).exit_code != 0


def test_funding_steps_read_as_sentences_in_both_languages(app):
    f = Funded([(90, "600"), (80, "500")])
    f.fund("1000")
    allocation.choose_rule(f.round, rule="best", objective="count", actor=f.organiser)
    allocation.cut_grant(f.round, entry_id=f.entries[0].id, amount=Decimal("400"),
                         reason="padded", actor=f.organiser)
    allocation.confirm_allocation(f.round, actor=f.organiser)
    db.session.commit()
    events = db.session.query(AuditEvent).order_by(AuditEvent.id).all()[-4:]
    names = AuditNames(rounds={f.round.key: "Expert review"})
    english = [describe_event(e, names) for e in events]
    assert english[0].startswith("Organiser Olga set up the fund of the nomination «nom1»: 1000.00 RUB")
    assert "chose the funding rule «best use of the fund (by number of entries)»" in english[1]
    assert f"cut the grant of entry No. {f.number(0)} in the round «Expert review» from 600.00 to 400.00" in english[2]
    assert "confirmed the funding of the round «Expert review»" in english[3] and "900.00 allocated" in english[3]
    with force_locale("ru"):
        russian = [describe_event(e, names) for e in events]
    assert "создал(а) фонд номинации «nom1»" in russian[0]
    assert "утвердил(а) финансирование тура «Expert review»" in russian[3]
