"""PostgreSQL text cannot hold U+0000: a string containing it would fail deep in SQL as an unexpected error.
It is refused here, before anything runs, as the caller's mistake (BAD_USER_INPUT)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import BREAK, StringValueNode, Visitor, visit
from strawberry.extensions import SchemaExtension

from .errors import ApiError


class _NulFinder(Visitor):
    found = False

    def enter_string_value(self, node: StringValueNode, *_: Any) -> Any:
        if "\x00" in node.value:
            self.found = True
            return BREAK
        return None


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _may_hold_nul(query: str) -> bool:
    """Whether a string value of this document can hold U+0000: only as the character itself or through a
    `\\u` escape. Most documents have neither, and then walking their syntax tree (the costly part) is skipped."""
    return not query or "\x00" in query or "\\u" in query


class RejectNulCharacters(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        finder = _NulFinder()
        if context.graphql_document is not None and _may_hold_nul(context.query or ""):
            visit(context.graphql_document, finder)
        if finder.found or _has_nul(context.variables):
            raise ApiError("strings must not contain the NUL character (U+0000)", "BAD_USER_INPUT")
        yield
