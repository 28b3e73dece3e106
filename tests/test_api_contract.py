"""Contract tests generated from the OpenAPI document (Schemathesis, the app in process): for every
operation, generated queries and bodies never cause a 5xx, and every answer matches its schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.extensions import db
from tests import results_helpers as rh
from tests import scoring_helpers as sh
from tests.api_helpers import ALL_SCOPES, token


@pytest.fixture
def contract(app, freeze):
    """A contest with entries, a jury and reviews; an organiser's and a judge's token; the schema."""
    freeze(sh.JUDGING)
    scene = sh.scene(entries=3)
    rh.review(scene.round, scene.entries[1], scene.judge, [7, 8])
    second = sh.judge(scene.round, name="Second")
    db.session.commit()
    world = {
        "slug": scene.contest.slug, "round_id": scene.round.id, "entry_id": scene.entry.id,
        "assignment_id": sh.assign(scene.round, scene.entries[2], second).id, "attachment_id": 1,
        "organiser": token(scene.organiser, ALL_SCOPES), "judge": token(scene.judge, ALL_SCOPES),
    }
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app), world


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_operations_match_their_schema(contract):
    schema, world = contract
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 18
    for operation in operations:

        @given(case=operation.as_strategy())
        # No shrinking: a failure is reported with its curl line as found (shrinking took minutes).
        @settings(max_examples=8, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def check(case):
            for name in ("slug", "round_id", "entry_id", "assignment_id", "attachment_id"):
                if case.path_parameters and name in case.path_parameters:
                    case.path_parameters[name] = world[name]
            who = "judge" if case.path.startswith("/api/v1/judging") else "organiser"
            case.call_and_validate(headers={"Authorization": f"Bearer {world[who]}", "Accept-Language": "ru"},
                                   checks=CHECKS)

        check()
