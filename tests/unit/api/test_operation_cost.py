"""The query cost rule, on documents alone: no server."""

from __future__ import annotations

from graphql import GraphQLFormattedError, parse, validate

from app.api.operation_limits import cost_limit
from app.api.schema import schema

DEEP = "{ orders(first: 99999999999999999999999) { edges { node { %s } } } }"


def _errors(query: str, limit: int) -> list[GraphQLFormattedError]:
    graphql_schema = schema._schema
    return [e.formatted for e in validate(graphql_schema, parse(query), [cost_limit(limit)])]


def test_a_first_beyond_the_page_limit_costs_as_much_as_a_full_page() -> None:
    [error] = _errors(DEEP % "id", limit=10)
    assert error.get("extensions") == {"code": "QUERY_TOO_COSTLY", "cost": 400, "limit": 10}


def test_a_cost_too_large_for_a_json_reader_is_reported_capped_and_still_refused() -> None:
    nested = "id"
    for _ in range(20):  # orders → returns → order → returns ...: lists inside lists
        nested = f"returns {{ order {{ {nested} }} }}"
    [error] = _errors(DEEP % nested, limit=50_000)
    extensions = error.get("extensions") or {}
    assert extensions.get("code") == "QUERY_TOO_COSTLY"
    assert extensions.get("cost") == 2**53 - 1


def test_an_operation_within_the_limit_passes() -> None:
    assert _errors("{ orders(first: 5) { edges { node { id } } } }", limit=50_000) == []
