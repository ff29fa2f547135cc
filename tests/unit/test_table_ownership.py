"""Each owner keeps its tables: only `eventstore/` names `events`, `streams`, `snapshots` and `checkpoints` in
SQL; everything else asks the store. Scans the source, no database."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# bench/ is left out on purpose: its raw baselines write the bare table to measure the store against it.
PACKAGES = ("app", "projections", "workers")
STORE_TABLES = ("events", "streams", "snapshots", "checkpoints")

# A table named where SQL names one: after FROM, JOIN, INTO, UPDATE, TABLE (and TRUNCATE, LOCK, ANALYZE).
_TABLE = r"\s+(?:ONLY\s+)?(?:public\s*\.\s*)?(" + "|".join(STORE_TABLES) + r")\b"
_KEYWORDS = r"\b(?:FROM|JOIN|INTO|UPDATE|TABLE|TRUNCATE|LOCK|ANALYZE)"
# In .sql files, whatever the case (comments dropped first). In Python, SQL keywords are upper case (house
# style), which keeps prose ("folded from events") out of it.
_IN_SQL = re.compile(_KEYWORDS + _TABLE, re.IGNORECASE)
_IN_PYTHON = re.compile(_KEYWORDS + _TABLE)


def _sources() -> list[Path]:
    return sorted(p for package in PACKAGES for ext in ("*.sql", "*.py") for p in (ROOT / package).rglob(ext))


def _offences(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".sql":
        return _IN_SQL.findall(re.sub(r"--[^\n]*", "", text))
    return _IN_PYTHON.findall(text)


def test_the_scan_sees_what_it_looks_for() -> None:
    assert _IN_PYTHON.findall('fetch("SELECT stream_id FROM streams WHERE type = $1")') == ["streams"]
    assert _IN_PYTHON.findall("LEFT JOIN snapshots s ON TRUE; UPDATE ONLY events SET") == ["snapshots", "events"]
    assert _IN_PYTHON.findall('"""The state, folded from events."""') == []
    assert _IN_SQL.findall("insert into public.checkpoints (name) values ($1)") == ["checkpoints"]
    assert len(_sources()) > 50


def test_only_the_event_store_names_its_tables() -> None:
    offences = {
        rel: found for path in _sources() if (found := _offences(path)) and (rel := path.relative_to(ROOT).as_posix())
    }
    assert offences == {}, f"ask the event store (eventstore/store.py) instead: {offences}"
