"""The public contract (../shared/api-contract.graphql, with the extensions in ../shared/contract/ whose issues
have landed) is a promise: every type, field, argument, input field and enum value in it must exist in the
served schema with a compatible type. And the checked-in
schema.graphql must be what the code serves, so a change to the API always shows up in review."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
)
from graphql.type.definition import GraphQLType

from app.api.schema import schema

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT.parent / "shared" / "api-contract.graphql"
# Each extension joins the promise when the issue that adds it lands (its `extend` definitions apply on top); the
# checkout and operations APIs are served in full already, so they are held to it now, ahead of their issues.
LANDED_EXTENSIONS: tuple[str, ...] = ("stores.graphql", "commerce.graphql", "checkout.graphql", "operations.graphql")


def served() -> GraphQLSchema:
    return schema._schema


def contract() -> GraphQLSchema:
    if not CONTRACT.exists():
        pytest.skip(f"the shared contract is not beside this checkout ({CONTRACT})")
    extensions = (CONTRACT.parent / "contract" / name for name in LANDED_EXTENSIONS)
    return build_schema("\n".join([CONTRACT.read_text(), *(path.read_text() for path in extensions)]))


def output_compatible(ours: GraphQLType, theirs: GraphQLType) -> bool:
    """An output may be stricter than promised (non-null where nullable), never looser."""
    if isinstance(theirs, GraphQLNonNull):
        return isinstance(ours, GraphQLNonNull) and output_compatible(ours.of_type, theirs.of_type)
    if isinstance(ours, GraphQLNonNull):
        return output_compatible(ours.of_type, theirs)
    if isinstance(theirs, GraphQLList):
        return isinstance(ours, GraphQLList) and output_compatible(ours.of_type, theirs.of_type)
    return str(ours) == str(theirs)


def input_compatible(ours: GraphQLType, theirs: GraphQLType) -> bool:
    """An input may accept more than promised (nullable where non-null), never less."""
    if isinstance(ours, GraphQLNonNull):
        return isinstance(theirs, GraphQLNonNull) and input_compatible(ours.of_type, theirs.of_type)
    if isinstance(theirs, GraphQLNonNull):
        return input_compatible(ours, theirs.of_type)
    if isinstance(ours, GraphQLList):
        return isinstance(theirs, GraphQLList) and input_compatible(ours.of_type, theirs.of_type)
    return str(ours) == str(theirs)


def test_every_promise_of_the_contract_is_served() -> None:
    ours, theirs = served(), contract()
    problems: list[str] = []
    for name, promised in theirs.type_map.items():
        if name.startswith("__"):
            continue
        actual = ours.type_map.get(name)
        if actual is None:
            problems.append(f"missing type {name}")
            continue
        if isinstance(promised, GraphQLEnumType):
            missing = set(promised.values) - set(actual.values)  # type: ignore[attr-defined]
            problems += [f"enum {name} lacks {v}" for v in sorted(missing)]
        if isinstance(promised, GraphQLObjectType | GraphQLInterfaceType):
            assert isinstance(actual, GraphQLObjectType | GraphQLInterfaceType), name
            for iface in promised.interfaces:
                if iface.name not in {i.name for i in actual.interfaces}:
                    problems.append(f"{name} does not implement {iface.name}")
            for fname, field in promised.fields.items():
                ours_field = actual.fields.get(fname)
                if ours_field is None:
                    problems.append(f"missing field {name}.{fname}")
                    continue
                if not output_compatible(ours_field.type, field.type):
                    problems.append(f"{name}.{fname}: {ours_field.type} is not {field.type}")
                for aname, arg in field.args.items():
                    ours_arg = ours_field.args.get(aname)
                    if ours_arg is None:
                        problems.append(f"missing argument {name}.{fname}({aname})")
                    elif not input_compatible(ours_arg.type, arg.type):
                        problems.append(f"{name}.{fname}({aname}): {ours_arg.type} is not {arg.type}")
                extra = set(ours_field.args) - set(field.args)
                problems += [
                    f"{name}.{fname}({a}) is required but not in the contract"
                    for a in extra
                    if isinstance(ours_field.args[a].type, GraphQLNonNull) and ours_field.args[a].default_value is None
                ]
        if isinstance(promised, GraphQLInputObjectType):
            assert isinstance(actual, GraphQLInputObjectType), name
            for fname, field in promised.fields.items():
                ours_input = actual.fields.get(fname)
                if ours_input is None:
                    problems.append(f"missing input field {name}.{fname}")
                elif not input_compatible(ours_input.type, field.type):
                    problems.append(f"{name}.{fname}: {ours_input.type} is not {field.type}")
            for extra in set(actual.fields) - set(promised.fields):
                f = actual.fields[extra]
                if isinstance(f.type, GraphQLNonNull) and f.default_value is None:
                    problems.append(f"{name}.{extra} is required but not in the contract")
    assert problems == []


def test_the_checked_in_schema_is_the_served_one() -> None:
    checked_in = (ROOT / "schema.graphql").read_text()
    assert checked_in == str(schema) + "\n", "run `make schema` and commit schema.graphql"
