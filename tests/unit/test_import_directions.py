"""Arrows point inward: every import between our packages follows `ALLOWED`, and the groups form no cycle.

Static: the modules are parsed with `ast`, never imported, so a lazy import inside a function counts too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "eventstore", "projections", "workers")

# Which groups each group may import (besides itself). The standard library and third-party packages are not
# checked here, except that the domain and sourcing must not reach any of ours but the ones listed.
ALLOWED: dict[str, frozenset[str]] = {
    "eventstore": frozenset(),
    "support": frozenset({"eventstore"}),
    "domain": frozenset(),
    "sourcing": frozenset({"domain"}),
    # The carriers' adapters and webhook parsing speak the domain's words (scans, statuses) and read the one
    # clock; both the webhook route (api) and the tracking actor (workers) use them.
    "carriers": frozenset({"domain", "support"}),
    "handlers": frozenset({"domain", "sourcing", "eventstore", "support", "projections"}),
    "projections": frozenset({"eventstore", "domain"}),
    "workers": frozenset({"handlers", "domain", "sourcing", "eventstore", "support", "projections", "carriers"}),
    "api": frozenset({"handlers", "domain", "sourcing", "eventstore", "support", "projections", "carriers"}),
    "entry": frozenset(
        {"api", "workers", "handlers", "domain", "sourcing", "eventstore", "support", "projections", "carriers"}
    ),
}

SUPPORT = {"settings", "logging", "security", "clock"}
# app/runtime.py composes what every entry point starts with: the database (embedded or not), Redis (embedded
# through the workers' broker) and every package's migrations (the store's and the read models'). Knowing
# projections and workers is its job, so it sits with the entry points, not with the support modules.
ENTRY = {"cli", "launcher", "demo", "seed", "runtime", "__main__"}


def group_of(module: str) -> str | None:
    """The group of a dotted module name, or None for a module that is not ours."""
    parts = module.split(".")
    if parts[0] in ("eventstore", "projections", "workers"):
        return parts[0]
    if parts[0] != "app" or len(parts) == 1:
        return None if parts[0] != "app" else "entry"
    if parts[1] in SUPPORT:
        return "support"
    if parts[1] in ENTRY:
        return "entry"
    return parts[1]  # domain, sourcing, handlers, api, carriers


def modules() -> Iterator[tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def imports_of(module: str, path: Path) -> Iterator[tuple[int, str]]:
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                yield node.lineno, ".".join([*base, *([node.module] if node.module else [])])
            elif node.module:
                yield node.lineno, node.module


def edges() -> dict[tuple[str, str], list[str]]:
    """(from group, to group) -> where: every import between two different groups."""
    found: dict[tuple[str, str], list[str]] = {}
    for module, path in modules():
        source = group_of(module)
        assert source is not None, module
        for line, target in imports_of(module, path):
            to = group_of(target)
            if to is not None and to != source:
                found.setdefault((source, to), []).append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    return found


def test_every_module_belongs_to_a_known_group() -> None:
    unknown = {group_of(module) for module, _ in modules()} - set(ALLOWED)
    assert not unknown, f"groups missing from ALLOWED: {unknown}"


def test_imports_follow_the_allowed_directions() -> None:
    wrong = [
        where
        for (source, target), places in sorted(edges().items())
        if target not in ALLOWED[source]
        for where in places
    ]
    assert not wrong, "imports against the allowed directions:\n" + "\n".join(wrong)


def cycle_in(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of `graph` (group -> groups it imports) as a path, or None: depth-first search for a back edge."""
    state: dict[str, str] = {}

    def visit(group: str, path: list[str]) -> list[str] | None:
        state[group] = "open"
        for target in sorted(graph.get(group, ())):
            if state.get(target) == "open":
                return [*path, group, target]
            if target not in state and (found := visit(target, [*path, group])):
                return found
        state[group] = "done"
        return None

    for group in sorted(graph):
        if group not in state and (found := visit(group, [])):
            return found
    return None


def test_the_allowed_directions_have_no_cycle() -> None:
    assert cycle_in({group: set(targets) for group, targets in ALLOWED.items()}) is None


def test_the_groups_import_each_other_in_no_cycle() -> None:
    graph: dict[str, set[str]] = {}
    for source, target in edges():
        graph.setdefault(source, set()).add(target)
    found = cycle_in(graph)
    assert found is None, " -> ".join(found or [])


def test_groups_are_as_documented() -> None:
    assert group_of("app.handlers.network") == "handlers"
    assert group_of("app.carriers.easypost") == "carriers"
    assert group_of("app.runtime") == "entry" and group_of("app.clock") == "support"
    assert group_of("msgspec") is None
    assert cycle_in({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
