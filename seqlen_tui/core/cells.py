"""Leaderboard cells whose text the CLI and the app share (no heavy imports: the app loads it
with its first frame)."""

from __future__ import annotations


def seeds_cell(row: dict) -> str:
    """The seeds a row averages, marked ``✗`` when its lag left the race early (with that many)."""
    seeds = row.get("seeds")
    if seeds is None:
        return "—"
    return f"{seeds}✗" if row.get("left_race_after") is not None else str(seeds)


def column_format(values, digits: int = 4):
    """One notation for a whole column of figures, so they line up and compare at a glance.

    Fixed point with thousands separators when every figure is between 1e-3 and 1e7 in size,
    with enough decimals that the smallest keeps ``digits`` significant digits (at most 6);
    else scientific notation with ``digits`` significant digits for all. Returns a function
    of one figure (``None`` shows as a dash).
    """
    import math

    sizes = [abs(v) for v in values if v is not None and math.isfinite(v) and v != 0]
    if not sizes:
        return lambda v: "—" if v is None else f"{v:,.{digits - 1}f}" if v == 0 else str(v)
    small, large = min(sizes), max(sizes)
    if small >= 1e-3 and large < 1e7:
        decimals = max(0, min(6, digits - 1 - math.floor(math.log10(small))))
        spec = f",.{decimals}f"
    else:
        spec = f".{digits - 1}e"
    return lambda v: "—" if v is None else format(v, spec) if math.isfinite(v) else str(v)


def p_value_cell(p: float | None) -> str:
    """A p-value in one notation: three decimals, ``<0.001`` below that."""
    if p is None:
        return "—"
    return "<0.001" if p < 0.001 else f"{p:.3f}"
