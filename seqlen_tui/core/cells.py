"""Leaderboard cells whose text the CLI and the app share (no heavy imports: the app loads it
with its first frame)."""

from __future__ import annotations


def seeds_cell(row: dict) -> str:
    """The seeds a row averages, marked ``✗`` when its lag left the race early (with that many)."""
    seeds = row.get("seeds")
    if seeds is None:
        return "—"
    return f"{seeds}✗" if row.get("left_race_after") is not None else str(seeds)
