"""`meridian up` runs as many projection processes as MERIDIAN_PROJECTION_PROCESSES says, one by default."""

from __future__ import annotations

from app.launcher import projection_components
from app.settings import Settings


def test_one_projection_process_by_default_and_n_when_asked() -> None:
    assert [c.name for c in projection_components(Settings())] == ["project"]
    many = projection_components(Settings(MERIDIAN_PROJECTION_PROCESSES=3))
    assert [c.name for c in many] == ["project", "project-2", "project-3"]  # each supervised under its own name
    assert all(list(c.argv[-2:]) == ["app.cli", "project"] for c in many)
