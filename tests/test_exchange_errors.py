"""The exchange format: a document with one bad value anywhere is refused whole, naming its path."""

from __future__ import annotations

import copy
import json

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.extensions import db
from app.models import Contest, Entry, Review, User
from app.services import exchange
from tests.conftest import _reset_database
from tests.test_exchange_roundtrip import rich_contest


@pytest.fixture(autouse=True)
def english(app):
    """Messages are compared in English; outside a request the app speaks its default language."""
    with force_locale("en"):
        yield


@pytest.fixture
def document(app):
    exported = json.loads(exchange.export_json(rich_contest()))
    db.session.remove()
    _reset_database()
    return exported


def _counts():
    models = (Contest, User, Entry, Review)
    return [db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in models]


def _set(document, path, value):
    target = document
    for step in path[:-1]:
        target = target[step]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value


_DELETE = object()

BAD_VALUES = [
    (("reviews", 0, "scores", "relevance"), 11, "reviews[0].scores.relevance: 11 is above the maximum 10"),
    (("reviews", 0, "scores", "budget"), 0, "reviews[0].scores.budget: 0 is below the minimum 1"),
    (("reviews", 0, "scores", "coherence"), 7.5, "reviews[0].scores.coherence: must be a whole number"),
    (("reviews", 1, "scores", "coherence"), _DELETE, "reviews[1].scores.coherence: is required in a submitted review"),
    (("reviews", 0, "email"), "nobody@example.org", "reviews[0].email: \"nobody@example.org\" is not listed in people"),
    (("rounds", 0, "criteria", 1, "weight"), "1.505",
     "rounds[0].criteria[1].weight: The weight may have at most two decimal places."),
    (("rounds", 0, "criteria", 1, "weight"), "0",
     "rounds[0].criteria[1].weight: The weight must be greater than zero."),
    (("rounds", 0, "method"), "max", "rounds[0].method: \"max\" is not one of mean, median, trimmed, zscore"),
    (("rounds", 0, "tie_break", 0), "ghost", "rounds[0].tie_break[0]: \"ghost\" is not a criterion of this round"),
    (("rounds", 0, "pass_mark"), "60.001",
     "rounds[0].pass_mark: The number of points may have at most two decimal places."),
    (("rounds", 1, "judging_opens_at"), "2026-05-12T00:00:00",
     "rounds[1].judging_opens_at: \"2026-05-12T00:00:00\" has no time zone offset, e.g. +03:00"),
    (("entries", 2, "submitted_at"), "yesterday",
     "entries[2].submitted_at: \"yesterday\" is not an ISO 8601 date and time"),
    (("entries", 0, "nomination"), "space", "entries[0].nomination: \"space\" is not a nomination of this contest"),
    (("entries", 1, "answers", "colour"), "red", "entries[1].answers.colour: unknown field"),
    (("entries", 1, "answers", "consent"), "yes", "entries[1].answers.consent: must be true or false"),
    (("entries", 1, "number"), lambda d: d["entries"][0]["number"], "entries[1].number: {first} appears twice"),
    (("contest", "timezone"), "Mars/Olympus", "contest.timezone: Unknown time zone: Mars/Olympus."),
    (("contest", "owner"), "me", "contest.owner: unknown field"),
    (("nominations", 1, "title"), {"de": "X"}, "nominations[1].title.de: unknown field"),
    (("nominations", 1, "title"), {"en": " "},
     "nominations[1].title: needs a text in at least one language (en or ru)"),
    (("form", 1, "type"), "radio",
     "form[1].type: \"radio\" is not one of text, textarea, number, date, select, checkbox, file, amount"),
    (("people", 0, "locale"), "de", "people[0].locale: \"de\" is not one of en, ru"),
    (("jury", 0, "round"), "final", "jury[0].round: \"final\" is not a round of this contest"),
    (("assignments", 0, "entry"), 999, "assignments[0].entry: entry 999 is not in entries"),
    (("conflicts", 0, "source"), "rumour", "conflicts[0].source: \"rumour\" is not one of judge, organiser, auto"),
    (("version",), 3, "version: version 3 is not supported (this is version 2)"),
    (("extra",), [], "extra: unknown field"),
]


@pytest.mark.parametrize(("path", "value", "message"), BAD_VALUES, ids=[m.split(":")[0] for _p, _v, m in BAD_VALUES])
def test_import_refuses_bad_value_naming_its_path(document, path, value, message):
    bad = copy.deepcopy(document)
    _set(bad, path, value(document) if callable(value) else value)
    before = _counts()
    with pytest.raises(exchange.ExchangeError) as error:
        exchange.import_contest(bad)
    db.session.rollback()
    assert str(error.value) == message.format(first=document["entries"][0]["number"])
    assert _counts() == before == [0, 0, 0, 0]


def test_import_reports_the_first_bad_value(document):
    bad = copy.deepcopy(document)
    bad["entries"][1]["status"] = "lost"
    bad["reviews"][0]["scores"]["relevance"] = 11
    with pytest.raises(exchange.ExchangeError) as error:
        exchange.import_contest(bad)
    assert error.value.path == "entries[1].status"


def test_import_refuses_review_of_entry_outside_its_round(document):
    bad = copy.deepcopy(document)
    second_round = [r for r in bad["reviews"] if r["round"] == "defence"][0]
    second_round["entry"] = number = bad["entries"][1]["number"]
    with pytest.raises(exchange.ExchangeError) as error:
        exchange.import_contest(bad)
    index = bad["reviews"].index(second_round)
    assert str(error.value) == f"reviews[{index}].entry: entry {number} is not in round \"defence\" (entries[1].rounds)"


def test_import_refuses_entrant_who_is_a_judge(document):
    bad = copy.deepcopy(document)
    bad["entries"][0]["entrant"] = bad["jury"][0]["email"]
    with pytest.raises(exchange.ExchangeError) as error:
        exchange.import_contest(bad)
    assert error.value.path == "entries[0].entrant"


def test_load_document_refuses_malformed_json(app):
    with pytest.raises(exchange.ExchangeError) as error:
        exchange.load_document(b'{"format": ')
    assert "not valid JSON" in str(error.value)


def test_cli_import_refuses_and_leaves_database_untouched(document, runner, tmp_path):
    bad = copy.deepcopy(document)
    bad["reviews"][0]["scores"]["relevance"] = 11
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    result = runner.invoke(args=["contest", "import", str(path)])
    assert result.exit_code == 1
    assert "reviews[0].scores.relevance: 11 is above the maximum 10" in result.output
    assert _counts() == [0, 0, 0, 0]


def test_cli_export_then_import(document, runner, tmp_path):
    path = tmp_path / "good.json"
    path.write_text(json.dumps(document))
    result = runner.invoke(args=["contest", "import", str(path)])
    assert result.exit_code == 0, result.output
    exported = runner.invoke(args=["contest", "export", document["contest"]["slug"]])
    assert json.loads(exported.output) == document
