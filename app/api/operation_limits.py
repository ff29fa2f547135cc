"""Limits on what one GraphQL operation may ask for, decided from the parsed document before anything runs:
its estimated cost (MERIDIAN_MAX_QUERY_COST), and in production no introspection and no "did you mean"
suggestions (they hand a stranger the schema one typo at a time).

The cost of an operation estimates how many values its answer can hold: every field counts once for each item
of every list above it. A list's size is its `first` argument (a literal, the variable's default, or the page
limit when a variable could be anything), else an estimate for plain lists. A connection's `first` counts its
edges once: `edges` itself adds no factor. For example

    { orders(first: 100) { edges { node { history { type } } } } }

costs 100 (a page of orders) + 100 (edges) + 100 (node) + 100·10 (history) + 100·10 (type) = 2300.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    VariableNode,
    get_named_type,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension

from .context import RequestContext
from .scalars import MAX_PAGE

PLAIN_LIST_ESTIMATE = 10  # an order's lines, shipments, history; a shipment's tracking: rarely more
# Nested lists multiply: a cost can outgrow any integer a JSON reader takes. Errors report at most this (the
# largest integer a JavaScript client reads exactly); the comparison with the limit uses the exact figure.
_LARGEST_SHOWN = 2**53 - 1
_SUGGESTION = " Did you mean"


def operation_cost(
    schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
) -> int:
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    defaults = {
        d.variable.name.value: min(int(d.default_value.value), MAX_PAGE)
        for d in operation.variable_definitions or ()
        if isinstance(d.default_value, IntValueNode)
    }
    return _cost(operation.selection_set, root, 1, schema, fragments, defaults, frozenset())


def _cost(
    selections: SelectionSetNode,
    parent: GraphQLNamedType,
    multiplier: int,
    schema: GraphQLSchema,
    fragments: dict[str, FragmentDefinitionNode],
    defaults: dict[str, int],
    spread: frozenset[str],
) -> int:
    total = 0
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            fields = parent.fields if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType) else {}
            definition = fields.get(selection.name.value)
            if definition is None:  # __typename, introspection, or an unknown field (validation says so)
                total += multiplier
                continue
            items = multiplier * _size(selection, definition, defaults)
            total += items
            if selection.selection_set is not None:
                named = get_named_type(definition.type)
                total += _cost(selection.selection_set, named, items, schema, fragments, defaults, spread)
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            on = schema.get_type(condition.name.value) if condition else parent
            total += _cost(selection.selection_set, on or parent, multiplier, schema, fragments, defaults, spread)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None or name in spread:  # unknown or cyclic: validation reports it
                continue
            on = schema.get_type(fragment.type_condition.name.value) or parent
            total += _cost(fragment.selection_set, on, multiplier, schema, fragments, defaults, spread | {name})
    return total


def _size(node: FieldNode, definition: GraphQLField, defaults: dict[str, int]) -> int:
    if "first" in definition.args:
        given = next((a.value for a in node.arguments or () if a.name.value == "first"), None)
        if isinstance(given, IntValueNode):  # beyond the page limit the field refuses it; it costs no more
            return min(max(1, int(given.value)), MAX_PAGE)
        if isinstance(given, VariableNode):
            return defaults.get(given.name.value, MAX_PAGE)  # the caller may send anything up to the page limit
        default = definition.args["first"].default_value
        return default if isinstance(default, int) else MAX_PAGE
    if _is_list(definition.type) and not get_named_type(definition.type).name.endswith("Edge"):
        return PLAIN_LIST_ESTIMATE
    return 1


def _is_list(kind: GraphQLOutputType) -> bool:
    return isinstance(kind.of_type if isinstance(kind, GraphQLNonNull) else kind, GraphQLList)


@functools.cache
def cost_limit(limit: int) -> type[ValidationRule]:
    """The validation rule refusing operations that cost more than `limit`. One class per limit, so that
    ValidationCache (keyed on the document and the rules) keeps hitting."""

    class QueryCostLimit(ValidationRule):
        def enter_document(self, node: DocumentNode, *_: object) -> None:
            fragments = {d.name.value: d for d in node.definitions if isinstance(d, FragmentDefinitionNode)}
            for operation in node.definitions:
                if not isinstance(operation, OperationDefinitionNode):
                    continue
                cost = operation_cost(self.context.schema, operation, fragments)
                if cost > limit:
                    name = f" {operation.name.value}" if operation.name else ""
                    cost = min(cost, _LARGEST_SHOWN)
                    self.report_error(
                        GraphQLError(
                            f"operation{name} costs {cost}, over the limit of {limit}: each field counts once "
                            "per item of every list above it; ask for fewer items or fewer nested lists",
                            operation,
                            extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "limit": limit},
                        )
                    )

    return QueryCostLimit


class OperationLimits(SchemaExtension):
    """Adds this process's limits (from the request's settings) to the operation's validation rules, and in
    production strips suggestions from error messages."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        production = False
        if isinstance(context, RequestContext):
            settings = context.services.settings
            production = not settings.development
            rules = [cost_limit(settings.max_query_cost)]
            if production:
                rules.append(NoSchemaIntrospectionCustomRule)
            self.execution_context.validation_rules = (*self.execution_context.validation_rules, *rules)
        yield
        result = self.execution_context.result
        if production and result is not None:
            for error in result.errors or ():
                error.message = error.message.split(_SUGGESTION, 1)[0]
