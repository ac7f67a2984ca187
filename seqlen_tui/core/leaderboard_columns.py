"""The leaderboard's columns, declared once: the CLI's table (``run``, ``show``) and the app's
``DataTable`` render the same cells from the same report rows (``LeaderboardRow.to_dict()``).

Each :class:`Column` says which row field it shows, under which header, in which notation, and
what it means (the key the CLI prints under its table). A figure a model does not have (a
baseline's lag, a classifier's MSE, a ridge row's stability) is absent from its row, so each
column applies exactly to the rows that carry its field, and the others show a dash. The
notation of a column is one for all its rows, so figures line up and compare at a glance:

- ``model``: the model's display name (:data:`.names.MODEL_NAMES`); front ends add their own
  mark for the chosen row;
- ``column``: one fixed or scientific notation for the whole column (:func:`.cells.column_format`);
- ``p``: a p-value, three decimals or ``<0.001`` (:func:`.cells.p_value_cell`);
- ``seeds``: the seeds averaged, ``✗`` when the lag left the race (:func:`.cells.seeds_cell`);
- anything else: a format spec for every figure (``+.3f``: the sign says which side of zero).

No front end is imported here; no heavy import either (the app loads it with its first frame).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .cells import column_format, p_value_cell, seeds_cell
from .names import MODEL_NAMES


@dataclass(frozen=True)
class Column:
    key: str  # the app's column key
    header: str
    field: str  # the row's field it shows
    notation: str  # see the module docstring
    width: int  # the CLI's narrowest column (a wider cell widens it)
    legend: str | None = None  # what it means, for the key under the CLI's table


LEADERBOARD_COLUMNS: tuple[Column, ...] = (
    Column("model", "model", "model", "model", 15),
    Column("lag", "lag", "lag", "d", 5),
    Column("val_mse", "val MSE", "val_mse", "column", 11),
    Column("val_se", "± SE", "val_mse_se", "column", 9),
    Column("test_mse", "test MSE", "test_mse", "column", 11),
    Column("skill", "skill", "skill", "+.3f", 7, "1 − MSE/persistence's MSE (> 0 beats it)"),
    Column("mase", "MASE", "mase", ".3f", 6, "MAE/persistence's MAE on training (< 1 beats it)"),
    Column("da", "dir.acc", "directional_accuracy", ".3f", 7, "share of moves called right"),
    Column("pt_p", "PT p", "pt_p", "p", 7, "Pesaran–Timmermann p-value that dir.acc beats chance"),
    Column("dm_p", "DM p", "dm_p_vs_persistence", "p", 8,
           "one-sided Diebold–Mariano p-value that the row beats persistence (small: it does)"),
    Column("stability", "stab.", "stability", ".2f", 5, "share of the (fold, seed) models whose best lag is this one"),
    Column("seeds", "seeds", "seeds", "seeds", 5,
           "LSTMs averaged per lag; ✗ left the race, significantly worse than the leader"),
)
BY_KEY = {column.key: column for column in LEADERBOARD_COLUMNS}
#: The column key's lines under the CLI's table, the columns each explains, in this order (after
#: a line on which block chooses and which reports).
KEY_LINES = (("skill", "mase"), ("da", "pt_p"), ("dm_p",), ("stability",))


def model_name(model: str) -> str:
    return MODEL_NAMES.get(model, model)


def _figure(notation: str) -> Callable[[object], str]:
    """How one figure of a column in a per-figure notation is written (``None``: a dash)."""
    if notation == "p":
        return p_value_cell
    return lambda value: "—" if value is None else format(value, notation)


def column_cells(column: Column, rows: list[dict]) -> list[str]:
    """The column's cell text in each of ``rows`` (a ``column`` notation needs them all)."""
    if column.notation == "model":
        return [model_name(row["model"]) for row in rows]
    if column.notation == "seeds":
        return [seeds_cell(row) for row in rows]
    values = [row.get(column.field) for row in rows]
    write = column_format(values) if column.notation == "column" else _figure(column.notation)
    return [write(value) for value in values]


def table_cells(rows: list[dict]) -> dict[str, list[str]]:
    """Every column's cells for ``rows``, by column key."""
    return {column.key: column_cells(column, rows) for column in LEADERBOARD_COLUMNS}


def key_line(keys: tuple[str, ...]) -> str:
    """One line of the column key: each column's header and what it means."""
    return "; ".join(f"{BY_KEY[key].header}: {BY_KEY[key].legend}" for key in keys)
