"""Assigning a round's entries to its jury (DESIGN §4), with the database: automatic and by hand."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Assignment, AuditEvent, Conflict, Entry, Review
from app.services.jury import assignment as assigning
from app.services.jury import members as jury
from tests.factories import NOW


def pairs(round_obj) -> set[tuple[int, int]]:
    return set(db.session.execute(sa.select(Assignment.entry_id, Assignment.judge_id)
                                  .where(Assignment.round_id == round_obj.id)).all())


def loads(round_obj) -> Counter:
    return Counter(judge for _, judge in pairs(round_obj))


@pytest.fixture
def setup(make):
    organiser = make.user(name="Olga Organiser")
    contest = make.contest(organiser=organiser)
    round_obj = make.round_(contest, reviews_per_entry=2)
    return contest, round_obj, organiser


def test_assign_round_gives_every_entry_k_distinct_judges(make, setup):
    contest, round_obj, _ = setup
    judges = [make.jury_member(round_obj).user for _ in range(4)]
    entries = [make.entry(contest, rounds=[round_obj]) for _ in range(6)]
    result = assigning.assign_round(round_=round_obj)
    db.session.commit()
    per_entry = Counter(entry for entry, _ in pairs(round_obj))
    assert per_entry == {entry.id: 2 for entry in entries}
    assert loads(round_obj) == {judge.id: 3 for judge in judges}
    assert result.unserved == []
    assert (result.min_load, result.max_load) == (3, 3)


def test_assign_round_keeps_existing_assignments(make, setup):
    contest, round_obj, _ = setup
    judges = [make.jury_member(round_obj).user for _ in range(3)]
    entries = [make.entry(contest, rounds=[round_obj]) for _ in range(3)]
    make.assignment(round_obj, entries[0], judges[0])
    make.assignment(round_obj, entries[0], judges[1])
    make.assignment(round_obj, entries[1], judges[0])
    result = assigning.assign_round(round_=round_obj)
    db.session.commit()
    assert len(result.pairs) == 3
    kept = {(entries[0].id, judges[0].id), (entries[0].id, judges[1].id), (entries[1].id, judges[0].id)}
    assert kept <= pairs(round_obj)
    assert Counter(entry for entry, _ in pairs(round_obj)) == {entry.id: 2 for entry in entries}
    assert sorted(loads(round_obj).values()) == [2, 2, 2]


def test_assign_round_never_assigns_a_declared_conflict(make, setup):
    contest, round_obj, _ = setup
    judges = [make.jury_member(round_obj).user for _ in range(3)]
    entry = make.entry(contest, rounds=[round_obj])
    jury.declare_conflict(entry=entry, user=judges[0], reason="My cousin", source="organiser")
    db.session.commit()
    assigning.assign_round(round_=round_obj)
    assert pairs(round_obj) == {(entry.id, judges[1].id), (entry.id, judges[2].id)}


def test_assign_round_never_assigns_the_same_organisation(make, setup):
    contest, round_obj, _ = setup
    same_name = make.jury_member(round_obj, organisation='Благотворительный фонд "Опора"').user
    same_account_org = make.jury_member(round_obj, make.user(organisation="ООО «Ромашка»")).user
    same_inn = make.jury_member(round_obj, inn="7701234567").user
    others = [make.jury_member(round_obj).user for _ in range(2)]
    first = make.entry(contest, rounds=[round_obj], organisation="Фонд «Опора»")
    second = make.entry(contest, rounds=[round_obj], organisation="ромашка, ООО")
    third = make.entry(contest, rounds=[round_obj], organisation="АНО Свет", inn="7701234567")
    assigning.assign_round(round_=round_obj)
    chosen = pairs(round_obj)
    assert (first.id, same_name.id) not in chosen
    assert (second.id, same_account_org.id) not in chosen
    assert (third.id, same_inn.id) not in chosen
    assert Counter(entry for entry, _ in chosen) == {first.id: 2, second.id: 2, third.id: 2}
    assert set(loads(round_obj)) <= {same_name.id, same_account_org.id, same_inn.id} | {o.id for o in others}


def test_assign_round_never_gives_an_entrant_their_own_entry(make, setup):
    contest, round_obj, _ = setup
    judges = [make.jury_member(round_obj).user for _ in range(3)]
    own = make.entry(contest, entrant=judges[0], rounds=[round_obj])
    assigning.assign_round(round_=round_obj)
    assert (own.id, judges[0].id) not in pairs(round_obj)


@pytest.mark.parametrize(("text", "key"), [
    ('ООО «Ромашка»', "ромашка"),
    ("  Ромашка,   ооо ", "ромашка"),
    ('ФГБОУ ВО "Сибирский федеральный университет"', "сибирский федеральный университет"),
    ("АНО «Ресурсный центр»", "ресурсный центр"),
    ("Благотворительный фонд «Опора»", "опора"),
    ("Фонд 'Опора'", "опора"),
    ("Ёлка LLC", "елка"),
    ("ООО", None),
    ("", None),
])
def test_normalise_organisation_strips_quotes_and_legal_forms(app, text, key):
    assert jury.normalise_organisation(text) == key


def test_assign_round_respects_maximum_load_and_reports_unserved(make, setup):
    contest, round_obj, _ = setup
    judges = [make.jury_member(round_obj, max_load=2).user for _ in range(2)]
    entries = [make.entry(contest, rounds=[round_obj]) for _ in range(3)]
    result = assigning.assign_round(round_=round_obj)
    assert loads(round_obj) == {judges[0].id: 2, judges[1].id: 2}
    assert sum(u.missing for u in result.unserved) == 2
    assert {u.entry_id for u in result.unserved} <= {e.id for e in entries}
    assert {u.reason for u in result.unserved} == {
        "The judges without a conflict with this entry are at their maximum load."}


def test_assign_round_reports_too_few_judges_without_conflict(make, setup):
    contest, round_obj, _ = setup
    judges = [make.jury_member(round_obj).user for _ in range(2)]
    entry = make.entry(contest, rounds=[round_obj])
    jury.declare_conflict(entry=entry, user=judges[1], reason="x", source="organiser")
    result = assigning.assign_round(round_=round_obj)
    assert pairs(round_obj) == {(entry.id, judges[0].id)}
    assert [(u.entry_id, u.missing, u.reason) for u in result.unserved] == [
        (entry.id, 1, "Only 1 judge of the jury has no conflict with this entry.")]


def test_assign_round_without_jury_reports_every_entry(make, setup):
    contest, round_obj, _ = setup
    entry = make.entry(contest, rounds=[round_obj])
    result = assigning.assign_round(round_=round_obj)
    assert [(u.entry_id, u.missing, u.reason) for u in result.unserved] == [
        (entry.id, 2, "The round's jury has no accepted members yet.")]


def test_assign_round_balances_around_existing_loads(make, setup):
    contest, round_obj, _ = setup
    round_obj.reviews_per_entry = 1
    busy, free_one, free_two = (make.jury_member(round_obj).user for _ in range(3))
    old = [make.entry(contest, rounds=[round_obj]) for _ in range(4)]
    for entry in old:
        make.assignment(round_obj, entry, busy)
    [make.entry(contest, rounds=[round_obj]) for _ in range(8)]
    result = assigning.assign_round(round_=round_obj)
    assert loads(round_obj) == {busy.id: 4, free_one.id: 4, free_two.id: 4}
    assert result.max_load - result.min_load == 0


def test_assign_round_prefers_expertise(make, setup):
    contest, round_obj, _ = setup
    round_obj.reviews_per_entry = 1
    first, second = contest.nominations
    knows_first = make.jury_member(round_obj, nominations=[first]).user
    knows_second = make.jury_member(round_obj, nominations=[second]).user
    a = [make.entry(contest, nomination=first, rounds=[round_obj]) for _ in range(2)]
    b = [make.entry(contest, nomination=second, rounds=[round_obj]) for _ in range(2)]
    assigning.assign_round(round_=round_obj)
    assert pairs(round_obj) == {(a[0].id, knows_first.id), (a[1].id, knows_first.id),
                                (b[0].id, knows_second.id), (b[1].id, knows_second.id)}


def test_assign_round_takes_only_submitted_eligible_entries_of_the_round(make, setup):
    contest, round_obj, _ = setup
    [make.jury_member(round_obj) for _ in range(2)]
    good = make.entry(contest, rounds=[round_obj])
    make.entry(contest, rounds=[round_obj], eligible=False)
    make.entry(contest, rounds=[round_obj], eligible=None)
    make.entry(contest, rounds=[round_obj], status="withdrawn")
    make.entry(contest, rounds=[round_obj], status="draft")
    make.entry(contest)  # not in the round
    result = assigning.assign_round(round_=round_obj)
    assert {entry for entry, _ in pairs(round_obj)} == {good.id}
    assert result.entries_total == 1


def test_assign_round_uses_only_accepted_members(make, setup):
    contest, round_obj, _ = setup
    accepted = [make.jury_member(round_obj).user for _ in range(2)]
    jury.invite_judge(round_=round_obj, email="pending@example.org", send=False)
    declined_user = make.user()
    declined = jury.invite_judge(round_=round_obj, email=declined_user.email, send=False)
    jury.decline_invitation(member=declined, user=declined_user)
    db.session.commit()
    [make.entry(contest, rounds=[round_obj]) for _ in range(3)]
    assigning.assign_round(round_=round_obj)
    assert set(loads(round_obj)) == {u.id for u in accepted}


def test_assign_round_dry_run_writes_nothing(make, setup):
    contest, round_obj, _ = setup
    [make.jury_member(round_obj) for _ in range(2)]
    [make.entry(contest, rounds=[round_obj]) for _ in range(2)]
    result = assigning.assign_round(round_=round_obj, dry_run=True)
    db.session.commit()
    assert len(result.pairs) == 4
    assert pairs(round_obj) == set()


def test_assign_round_extra_judge_only_for_the_given_entries(make, setup):
    contest, round_obj, _ = setup
    judges = [make.jury_member(round_obj).user for _ in range(4)]
    entries = [make.entry(contest, rounds=[round_obj]) for _ in range(2)]
    assigning.assign_round(round_=round_obj)
    before = pairs(round_obj)
    result = assigning.assign_round(round_=round_obj, extra_for_entry_ids=[entries[0].id])
    after = pairs(round_obj)
    assert before < after
    assert [entry for entry, _ in after - before] == [entries[0].id]
    assert Counter(entry for entry, _ in after) == {entries[0].id: 3, entries[1].id: 2}
    assert len(result.pairs) == 1
    assert {j.id for j in judges} >= {judge for _, judge in after}


def test_assign_extra_for_flagged_uses_the_disagreement_flags(make, setup):
    contest, round_obj, _ = setup
    pytest.importorskip("app.services.results.disagreement")
    [make.jury_member(round_obj) for _ in range(3)]
    make.entry(contest, rounds=[round_obj])
    result = assigning.assign_extra_for_flagged(round_=round_obj)
    assert result.pairs == []  # no reviews, so nothing is flagged


def test_assign_round_notifies_each_judge_once_per_batch(make, setup, outbox):
    contest, round_obj, _ = setup
    judges = [make.jury_member(round_obj).user for _ in range(2)]
    entries = [make.entry(contest, rounds=[round_obj], title=f"Garden {i}") for i in range(3)]
    outbox.clear()
    assigning.assign_round(round_=round_obj)
    db.session.commit()
    assert sorted(m["to"] for m in outbox) == sorted(j.email for j in judges)
    assert all(f"Garden {i}" in outbox[0]["body"] for i in range(3))
    assert db.session.scalar(sa.select(sa.func.count()).where(Assignment.notified_at.is_(None))) == 0
    outbox.clear()
    make.jury_member(round_obj)
    assigning.assign_round(round_=round_obj)
    assert outbox == []
    assert len(entries) == 3


def test_assign_round_refused_when_round_finalised(make, setup):
    contest, round_obj, _ = setup
    round_obj.finalised_at = NOW
    db.session.commit()
    with pytest.raises(assigning.AssignmentError):
        assigning.assign_round(round_=round_obj)


def test_assign_round_records_an_audit_event(make, setup):
    contest, round_obj, organiser = setup
    make.jury_member(round_obj)
    make.entry(contest, rounds=[round_obj])
    assigning.assign_round(round_=round_obj, actor=organiser)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "assignment.auto"))
    assert (event.actor_id, event.new) == (organiser.id, {"assignments": 1, "unserved": 1})


# ---------------------------------------------------------------------------------------------
# By hand.
# ---------------------------------------------------------------------------------------------

def test_add_assignment_enforces_every_rule(make, setup):
    contest, round_obj, _ = setup
    capped = make.jury_member(round_obj, max_load=1).user
    conflicted = make.jury_member(round_obj).user
    outsider = make.user()
    invited = make.user()
    jury.invite_judge(round_=round_obj, email=invited.email, send=False)
    entry = make.entry(contest, rounds=[round_obj])
    other = make.entry(contest, rounds=[round_obj])
    not_eligible = make.entry(contest, rounds=[round_obj], eligible=False)
    jury.declare_conflict(entry=entry, user=conflicted, reason="x", source="organiser")
    db.session.commit()

    assigning.add_assignment(round_=round_obj, entry=entry, judge=capped)
    cases = [
        (entry, capped, "already has this entry"),
        (other, capped, "maximum load"),
        (entry, conflicted, "declared conflict"),
        (entry, outsider, "not an accepted member"),
        (entry, invited, "not an accepted member"),
        (not_eligible, conflicted, "not among the round's eligible entries"),
    ]
    for entry_obj, judge, message in cases:
        with pytest.raises(assigning.AssignmentError, match=message):
            assigning.add_assignment(round_=round_obj, entry=entry_obj, judge=judge)


def test_remove_assignment_deletes_a_draft_review(make, setup):
    contest, round_obj, _ = setup
    judge = make.jury_member(round_obj).user
    entry = make.entry(contest, rounds=[round_obj])
    item = make.assignment(round_obj, entry, judge)
    db.session.add(Review(round_id=round_obj.id, entry_id=entry.id, judge_id=judge.id, updated_at=NOW))
    db.session.commit()
    assigning.remove_assignment(assignment=item)
    db.session.commit()
    assert pairs(round_obj) == set()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Review)) == 0


def test_remove_assignment_refused_after_a_submitted_review(make, setup):
    contest, round_obj, _ = setup
    judge = make.jury_member(round_obj).user
    entry = make.entry(contest, rounds=[round_obj])
    item = make.assignment(round_obj, entry, judge)
    db.session.add(Review(round_id=round_obj.id, entry_id=entry.id, judge_id=judge.id, updated_at=NOW,
                          status="submitted", total=10, submitted_at=NOW))
    db.session.commit()
    with pytest.raises(assigning.AssignmentError, match="already submitted"):
        assigning.remove_assignment(assignment=item)


def test_move_assignment_to_another_judge(make, setup):
    contest, round_obj, _ = setup
    first, second, conflicted = (make.jury_member(round_obj).user for _ in range(3))
    entry = make.entry(contest, rounds=[round_obj])
    item = make.assignment(round_obj, entry, first)
    jury.declare_conflict(entry=entry, user=conflicted, reason="x", source="organiser")
    db.session.commit()
    with pytest.raises(assigning.AssignmentError):
        assigning.move_assignment(assignment=item, judge=conflicted)
    assigning.move_assignment(assignment=item, judge=second)
    db.session.commit()
    assert pairs(round_obj) == {(entry.id, second.id)}


# ---------------------------------------------------------------------------------------------
# Conflicts declared mid-round.
# ---------------------------------------------------------------------------------------------

def test_declare_conflict_withdraws_assignment_and_review_and_the_entry_is_reassigned(make, setup, outbox):
    contest, round_obj, organiser = setup
    judges = [make.jury_member(round_obj).user for _ in range(3)]
    entry = make.entry(contest, rounds=[round_obj])
    assigning.assign_round(round_=round_obj)
    db.session.commit()
    leaving = next(judge for judge in judges if (entry.id, judge.id) in pairs(round_obj))
    db.session.add(Review(round_id=round_obj.id, entry_id=entry.id, judge_id=leaving.id, updated_at=NOW))
    db.session.commit()
    outbox.clear()

    jury.declare_conflict(entry=entry, user=leaving, reason="I advised them", source="judge")
    db.session.commit()
    assert (entry.id, leaving.id) not in pairs(round_obj)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Review)) == 0
    conflict = db.session.scalar(sa.select(Conflict))
    assert (conflict.user_id, conflict.source, conflict.reason) == (leaving.id, "judge", "I advised them")
    assert [m["to"] for m in outbox] == [organiser.email]
    assert "I advised them" in outbox[0]["body"]

    assigning.assign_round(round_=round_obj)
    chosen = pairs(round_obj)
    assert len([1 for e, _ in chosen if e == entry.id]) == 2
    assert (entry.id, leaving.id) not in chosen


def test_declare_conflict_keeps_finalised_rounds(make, setup):
    contest, round_obj, _ = setup
    judge = make.jury_member(round_obj).user
    entry = make.entry(contest, rounds=[round_obj])
    make.assignment(round_obj, entry, judge)
    round_obj.finalised_at = NOW + timedelta(days=1)
    db.session.commit()
    jury.declare_conflict(entry=entry, user=judge, reason="x", source="organiser")
    db.session.commit()
    assert pairs(round_obj) == {(entry.id, judge.id)}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Conflict)) == 1


def test_cli_assign_prints_a_summary(make, setup, runner):
    contest, round_obj, _ = setup
    [make.jury_member(round_obj) for _ in range(2)]
    entry = make.entry(contest, rounds=[round_obj])
    dry = runner.invoke(args=["assign", contest.slug, round_obj.key, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would make 2 new assignments" in dry.output
    assert pairs(round_obj) == set()
    done = runner.invoke(args=["assign", contest.slug, "1"])
    assert done.exit_code == 0, done.output
    assert "made 2 new assignments" in done.output
    assert "min 1, max 1" in done.output
    db.session.expire_all()
    assert {e for e, _ in pairs(round_obj)} == {entry.id}
    missing = runner.invoke(args=["assign", contest.slug, "nope"])
    assert missing.exit_code != 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Entry)) == 1
