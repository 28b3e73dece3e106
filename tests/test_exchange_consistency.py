"""An import may not hold what the app would never produce (README, "Contest exchange"): each such
document is refused whole, with a message naming the bad value's path and the record it contradicts."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.extensions import db
from app.models import Contest, Review
from app.services import exchange
from tests.conftest import _reset_database
from tests.test_exchange_roundtrip import rich_contest


@pytest.fixture(autouse=True)
def english(app):
    with force_locale("en"):
        yield


@pytest.fixture
def document(app):
    """The rich contest's document: experts (jury 0–2, entries[0–3], entries[3] ineligible, a conflict of
    jury[2]'s judge with entries[1]) and defence (jury[3] invited, jury[4] accepted, entries[0])."""
    exported = json.loads(exchange.export_json(rich_contest()))
    db.session.remove()
    _reset_database()
    return exported


def _refused(document) -> exchange.ExchangeError:
    with pytest.raises(exchange.ExchangeError) as error:
        exchange.import_contest(document)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contest)) == 0
    return error.value


def _index(items: list[dict], **match) -> int:
    return next(i for i, item in enumerate(items) if all(item.get(k) == v for k, v in match.items()))


def test_the_rich_document_imports_as_it_is(document):
    exchange.import_contest(document)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Review)) == len(document["reviews"])


@pytest.mark.parametrize("status", ["submitted", "draft"])
def test_import_refuses_a_review_by_a_judge_with_a_conflict(document, status):
    review = document["reviews"][0 if status == "submitted" else 2]
    judge, number = review["email"], review["entry"]
    # The app withdraws the assignment with the review: leave it out, so the review itself is refused.
    document["assignments"] = [a for a in document["assignments"] if (a["email"], a["entry"]) != (judge, number)]
    document["conflicts"].append({"email": judge, "entry": number, "reason": "My NGO"})
    error = _refused(document)
    index = document["reviews"].index(review)
    assert str(error) == (f'reviews[{index}].email: "{judge}" has a conflict of interest with entry {number} '
                          f"(conflicts[1]): a judge has no assignment or review of such an entry")


def test_import_refuses_an_assignment_to_a_judge_with_a_conflict(document):
    assignment = document["assignments"][3]
    document["conflicts"].append({"email": assignment["email"], "entry": assignment["entry"], "reason": "Cousin"})
    error = _refused(document)
    assert error.path == "assignments[3].email"
    assert f"has a conflict of interest with entry {assignment['entry']} (conflicts[1])" in error.message


def test_import_refuses_a_review_by_a_judge_not_on_the_rounds_jury(document):
    outsider = document["jury"][2]["email"]  # on the experts' jury, not on the defence's
    number = document["entries"][0]["number"]
    document["reviews"].append({"round": "defence", "entry": number, "email": outsider, "status": "draft"})
    error = _refused(document)
    index = len(document["reviews"]) - 1
    assert str(error) == f'reviews[{index}].email: "{outsider}" is not on the jury of round "defence" (jury)'


def test_import_refuses_an_assignment_by_a_judge_not_on_the_rounds_jury(document):
    outsider = document["jury"][2]["email"]
    document["assignments"].append({"round": "defence", "entry": document["entries"][0]["number"],
                                    "email": outsider})
    error = _refused(document)
    assert error.path == f"assignments[{len(document['assignments']) - 1}].email"


def test_import_refuses_a_review_by_a_judge_who_declined(document):
    member = _index(document["jury"], round="defence", status=None)
    document["jury"][member]["status"] = "declined"
    review = _index(document["reviews"], round="defence")
    error = _refused(document)
    assert str(error) == (f'reviews[{review}].email: "{document["jury"][member]["email"]}" is not an accepted '
                          f'member of the jury of round "defence" (jury[{member}].status is "declined")')


@pytest.mark.parametrize(("change", "field"), [
    (lambda entry: entry.update(eligible=False, ineligible_reason="Late"), "eligible"),
    (lambda entry: entry.pop("eligible"), "eligible"),  # not screened yet
    (lambda entry: entry.update(status="withdrawn", eligible=None), "status"),
])
def test_import_refuses_an_assignment_of_an_entry_not_screened_eligible(document, change, field):
    change(document["entries"][1])
    number = document["entries"][1]["number"]
    error = _refused(document)
    first = _index(document["assignments"], entry=number)
    assert str(error) == (f"assignments[{first}].entry: entry {number} is not a submitted entry screened "
                          f"eligible (entries[1].{field}): only those are assigned to judges")


def test_import_refuses_a_review_of_an_entry_not_in_the_round(document):
    # entries[1] is in the experts round only.
    number = document["entries"][1]["number"]
    judge = document["jury"][4]["email"]
    document["reviews"].append({"round": "defence", "entry": number, "email": judge, "status": "draft"})
    error = _refused(document)
    assert str(error) == (f'reviews[{len(document["reviews"]) - 1}].entry: entry {number} is not in round '
                          f'"defence" (entries[1].rounds)')


def test_without_a_jury_list_the_juries_come_from_assignments_and_reviews(document):
    del document["jury"]
    contest = exchange.import_contest(document)
    db.session.commit()
    exported = exchange.export_contest(contest)
    members = {(m["round"], m["email"]) for m in exported["jury"]}
    expected = {(a["round"], a["email"]) for a in document["assignments"] + document["reviews"]}
    assert members == expected
