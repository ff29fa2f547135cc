"""Read-side SQL lives in `projections/sql/*.sql`, one statement per file, read once on first use."""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def query(name: str) -> str:
    return (files("projections") / "sql" / f"{name}.sql").read_text(encoding="utf-8")
