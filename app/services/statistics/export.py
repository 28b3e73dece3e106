"""A round's results JSON with its statistics (contest-exchange.md, "Round statistics")."""

from __future__ import annotations

import json

from app.models import Round
from app.services.results.export import results_document
from app.services.results.reading import round_results
from app.services.statistics.report import round_statistics, statistics_document

# A results document that carries "statistics" is of version 2 (contest-exchange.md, "Additions
# after v1": a v1 reader refuses keys it does not know).
RESULTS_VERSION = 2


def results_document_with_statistics(round_: Round) -> dict:
    """results_document of the round plus its "statistics", from one reading of the ranking."""
    ranking = round_results(round_)
    document = results_document(round_, ranking)
    document["version"] = RESULTS_VERSION
    document["statistics"] = statistics_document(round_statistics(round_, ranking=ranking))
    return document


def results_json(round_: Round) -> str:
    return json.dumps(results_document_with_statistics(round_), ensure_ascii=False, indent=2) + "\n"
