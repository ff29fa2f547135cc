"""Errors as clients see them.

Expected failures of a mutation are `userErrors` in its payload (`field`, `message`, `code`), built here from
the domain's typed errors. Query-level refusals (no token, wrong role, bad argument) are GraphQL errors with an
`extensions.code`; a database that cannot be reached is UNAVAILABLE (retryable); anything else is masked by the
schema's MaskErrors extension and logged with a request id.
"""

from __future__ import annotations

import asyncpg
import strawberry
from graphql import (
    ArgumentNode,
    DocumentNode,
    GraphQLError,
    GraphQLSyntaxError,
    ObjectFieldNode,
    StringValueNode,
    ValueNode,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    visit,
)

from app.domain.errors import DomainError
from eventstore import StoreUnavailable


@strawberry.type(description="An expected failure of a mutation: nothing was changed.")
class UserError:
    field: list[str] | None
    message: str
    code: str


def user_error(code: str, message: str, *field: str) -> UserError:
    return UserError(field=list(field) if field else None, message=message, code=code)


def from_domain(error: DomainError, *prefix: str) -> UserError:
    """A domain refusal as a userError; `prefix` places the field path under the mutation's input."""
    field = [*prefix, *error.field] if error.field else (list(prefix) or None)
    return UserError(field=field, message=error.message, code=error.code)


class ApiError(GraphQLError):
    """A refusal that clients may see as is (never masked): it carries a code and says nothing internal."""

    def __init__(self, message: str, code: str, field: str | None = None) -> None:
        extensions: dict[str, object] = {"code": code}
        if field:
            extensions["field"] = field
        super().__init__(message, extensions=extensions)


class InvalidDateTime(ApiError):
    """A DateTime input outside what can be stored (see scalars.parse_datetime). Raised while the value is
    parsed, before it is known which argument takes it; `MaskUnexpected` names the field (`named_field`)."""

    def __init__(self, value: str, message: str) -> None:
        super().__init__(message, "INVALID_DATETIME")
        self.value = value


def named_field(error: GraphQLError, document: DocumentNode | None) -> GraphQLError:
    """`error` with `extensions.field` naming the argument or input field that received the bad value: the one
    that takes the variable the error is about (a value that does not fit its type: an unknown enum value, a
    DateTime that does not parse), the one whose literal the error points at, or the one whose literal is the bad
    DateTime (raised while parsing, before it is known where it was written)."""
    if document is None or "field" in (error.extensions or {}):
        return error
    bad = next((e for e in (error, error.original_error) if isinstance(e, InvalidDateTime)), None)
    variable = next((n.variable.name.value for n in error.nodes or () if isinstance(n, VariableDefinitionNode)), None)
    pointed = {n.loc.start for n in error.nodes or () if isinstance(n, ValueNode) and n.loc is not None}
    if bad is None and variable is None and not pointed:
        return error
    found: list[str] = []

    def received(value: ValueNode) -> bool:
        if variable is not None:
            return isinstance(value, VariableNode) and value.name.value == variable
        if value.loc is not None and value.loc.start in pointed:
            return True
        return bad is not None and isinstance(value, StringValueNode) and value.value == bad.value

    class Finder(Visitor):
        def enter_argument(self, node: ArgumentNode, *_: object) -> None:
            if received(node.value):
                found.append(node.name.value)

        def enter_object_field(self, node: ObjectFieldNode, *_: object) -> None:
            if received(node.value):
                found.append(node.name.value)

    visit(document, Finder())
    if found:
        error.extensions = {**(error.extensions or {}), "field": found[0]}
    return error


def unauthenticated() -> ApiError:
    return ApiError("authentication required: send `Authorization: Bearer <token>`", "UNAUTHENTICATED")


def forbidden(what: str = "this operation") -> ApiError:
    return ApiError(f"not allowed to perform {what}", "FORBIDDEN")


def should_mask(error: GraphQLError) -> bool:
    """Only our own ApiErrors and GraphQL's own errors about the query reach clients unmasked."""
    original = error.original_error
    if original is None:
        return False  # parse and validation errors: about the query, safe and useful
    # graphql-core's own complaints about variables' values (a missing input field, a wrong type) wrap
    # another GraphQLError: they describe the caller's input, never our internals.
    return not isinstance(original, GraphQLError)


def code_for(error: GraphQLError) -> str:
    """The `extensions.code` of an error that has none: what kind of mistake the caller made."""
    if isinstance(error, GraphQLSyntaxError):
        return "GRAPHQL_PARSE_FAILED"
    if error.original_error is not None:
        return "BAD_USER_INPUT"  # a variable's value did not fit its type
    return "GRAPHQL_VALIDATION_FAILED"


UNAVAILABLE_MESSAGE = "the service is temporarily unavailable; try again"

# The database went away or cut the connection (a restart, a failover, pg_terminate_backend): the request was
# fine, and a retry will likely work. Read paths meet these raw from asyncpg; the write side as StoreUnavailable.
_UNAVAILABLE = (
    StoreUnavailable,
    OSError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    # A connection cut in the middle of an operation can leave asyncpg's protocol mid-state ("cannot switch to
    # state ..."); the pool drops that connection on release, so this too is transient.
    asyncpg.exceptions.InternalClientError,
)


def is_unavailable(error: GraphQLError) -> bool:
    return isinstance(error.original_error, _UNAVAILABLE)
