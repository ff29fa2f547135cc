"""PostgreSQL text cannot hold U+0000: a string containing it would fail deep in SQL as an unexpected error.
It is refused here, before anything runs, as the caller's mistake (BAD_USER_INPUT)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import BREAK, DocumentNode, StringValueNode, Visitor, visit
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


def _document_has_nul(document: DocumentNode) -> bool:
    finder = _NulFinder()
    visit(document, finder)
    return finder.found


# Query text -> whether its document holds a NUL: clients send the same few documents over and over, and
# walking one costs more than the rest of this check. Bounded like the parser's cache.
_checked: dict[str, bool] = {}
_CHECKED_MAX = 1024


class RejectNulCharacters(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document, text = context.graphql_document, context.query or ""
        found = _checked.get(text)
        if found is None and document is not None:
            found = _document_has_nul(document)
            if text and len(_checked) < _CHECKED_MAX:
                _checked[text] = found
        if found or _has_nul(context.variables):
            raise ApiError("strings must not contain the NUL character (U+0000)", "BAD_USER_INPUT")
        yield
