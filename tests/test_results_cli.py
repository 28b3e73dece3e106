"""`flask results SLUG ROUND` and the results formats."""

from __future__ import annotations

import csv
import io
import json

import openpyxl

from app.extensions import db
from app.services.results.export import results_document
from tests import factories
from tests.results_helpers import Scored, judge, one_criterion_round, review


def test_cli_results_json_matches_the_spec_format(app, runner):
    s = Scored()
    result = runner.invoke(args=["results", s.contest.slug, "experts"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    statistics = document.pop("statistics")
    assert document == {**results_document(s.round1), "version": 2}
    assert list(document) == ["format", "version", "contest", "round", "method", "rankings", "unrated"]
    assert {"alpha", "judges", "ranks", "resamples", "seed"} <= set(statistics)
    assert [(r["nomination"], r["rank"]) for r in document["rankings"]] == [
        ("nom1", 1), ("nom1", 2), ("nom1", 3), ("nom2", 1), ("nom2", 2), ("nom2", 3)]
    assert document["rankings"][2]["below_pass_mark"] is True
    assert document["unrated"] == []


def test_cli_results_by_round_number_and_unrated_list(app, runner):
    s = Scored()
    late = factories.entry(s.contest, rounds=[s.round1])
    result = runner.invoke(args=["results", s.contest.slug, "1", "--format", "json"])
    assert json.loads(result.output)["unrated"] == [late.number]


def test_cli_results_csv_and_xlsx_files(app, runner, tmp_path):
    s = Scored()
    csv_path, xlsx_path = tmp_path / "r.csv", tmp_path / "r.xlsx"
    result = runner.invoke(args=["results", s.contest.slug, "experts", "--format", "csv", "-o", str(csv_path)])
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 7 and rows[1][2:4] == ["1", str(s.entries[0].number)]
    assert runner.invoke(args=["results", s.contest.slug, "experts", "--format", "xlsx",
                               "-o", str(xlsx_path)]).exit_code == 0
    sheet = openpyxl.load_workbook(xlsx_path).active
    assert sheet.max_row == 7 and sheet["D2"].value == s.entries[0].number


def test_cli_results_unknown_round(app, runner):
    s = Scored()
    result = runner.invoke(args=["results", s.contest.slug, "final"])
    assert result.exit_code == 1 and "rounds: experts, defence" in result.output


def test_results_json_scores_are_half_up_strings(app):
    contest = factories.contest()
    round_ = one_criterion_round(contest, weight="0.01", high=1000, method="mean")
    j1, j2 = judge(round_), judge(round_)
    entry = factories.entry(contest, rounds=[round_])
    review(round_, entry, j1, [267])
    review(round_, entry, j2, [268])
    row = results_document(round_)["rankings"][0]
    assert (row["score"], row["spread"]) == ("2.68", "0.01")


def test_spreadsheet_text_never_becomes_a_formula(app, client, login):
    s = Scored()
    s.entries[0].title = "=HYPERLINK(\"http://evil\")"
    db.session.commit()
    login(s.organiser)
    data = client.get(f"/manage/{s.contest.slug}/results/{s.round1.id}/export.xlsx").data
    cell = openpyxl.load_workbook(io.BytesIO(data)).active["E2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    text = client.get(f"/manage/{s.contest.slug}/results/{s.round1.id}/export.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text
