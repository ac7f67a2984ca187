"""The leaderboard table: rows as they arrive, sortable from the keyboard, the choice marked.

It holds plain row dicts (``LeaderboardRow.to_dict()``, as stored in reports) so a live run
and a stored report fill it the same way.  Sorting never loses the arrival order: ``s``
walks the columns, ``d`` flips the direction, and the first column again restores the
core's own order (validation MSE, classifiers last).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from ...core.leaderboard_columns import BY_KEY, LEADERBOARD_COLUMNS, column_cells, model_name

#: The columns, in their order: the core's schema, which the CLI's table renders too.
COLUMNS = LEADERBOARD_COLUMNS
#: Shown only when the table is wide enough, the first of them first (at 80 columns none is;
#: at 120 all are). The others are always shown.
OPTIONAL_COLUMNS = ("test_mse", "mase", "dm_p", "pt_p")
EXPORT_FIELDS = ("model", "lag", "val_mse", "val_mse_se", "test_mse", "test_mae", "mase", "skill",
                 "directional_accuracy", "pt_p", "dm_p_vs_persistence", "stability",
                 "seeds", "left_race_after", "majority_rate", "chosen")


class LeaderboardTable(DataTable):
    """Rows keyed by (model, lag): a provisional row is replaced when a better estimate comes."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.rows_by_key: dict[tuple[str, int | None], dict[str, Any]] = {}
        self.chosen: tuple[str, int] | None = None
        self.sort_column: str | None = None  # None: the core's order
        self.sort_reverse = False
        self.shown_keys: tuple[str, ...] = ()  # the columns on screen, as the width allows

    def on_mount(self) -> None:
        self._rebuild()

    def on_resize(self) -> None:
        self._rebuild()

    # ----- filling ---------------------------------------------------------------------------

    def merge_rows(self, rows: Iterable[dict[str, Any]]) -> None:
        """Provisional rows: add new ones, update those already shown."""
        for row in rows:
            self.rows_by_key[(row["model"], row.get("lag"))] = row
        # Best validation MSE first, as the final table will be, so a new LSTM row lands
        # where it ranks instead of below the baselines, out of sight.
        ranked = sorted(self.rows_by_key.items(), key=lambda item: (
            item[1].get("val_mse") is None, item[1].get("val_mse") or 0.0, item[0][1] or 0))
        self.rows_by_key = dict(ranked)
        self._rebuild()

    def replace_rows(self, rows: Iterable[dict[str, Any]]) -> None:
        """The final table (or a stored report's): exactly these rows, in this order."""
        self.rows_by_key = {(row["model"], row.get("lag")): row for row in rows}
        self._rebuild()

    def mark_chosen(self, model: str, lag: int | None) -> None:
        self.chosen = None if lag is None else (model, lag)
        self._rebuild()
        if self.chosen is not None:
            for index, row in enumerate(self.shown_rows()):
                if (row["model"], row.get("lag")) == self.chosen:
                    self.move_cursor(row=index)
                    break

    # ----- sorting ---------------------------------------------------------------------------

    def sort_next(self) -> str:
        """Sort by the next column (after the last one: back to the core's order)."""
        keys = list(self.shown_keys) or [column.key for column in COLUMNS]
        if self.sort_column is None:
            self.sort_column = keys[0]
        else:
            index = keys.index(self.sort_column) + 1 if self.sort_column in keys else len(keys)
            self.sort_column = keys[index] if index < len(keys) else None
        self.sort_reverse = False
        self._rebuild()
        return self.sort_description()

    def sort_by(self, column: str | None, reverse: bool = False) -> None:
        self.sort_column, self.sort_reverse = column, reverse
        self._rebuild()

    def flip_sort(self) -> str:
        self.sort_reverse = not self.sort_reverse
        self._rebuild()
        return self.sort_description()

    def sort_description(self) -> str:
        if self.sort_column is None:
            return "core order (validation MSE)" + (", reversed" if self.sort_reverse else "")
        label = BY_KEY[self.sort_column].header
        return f"by {label}, {'descending' if self.sort_reverse else 'ascending'}"

    def shown_rows(self) -> list[dict[str, Any]]:
        rows = list(self.rows_by_key.values())
        if self.sort_column is None:
            return rows[::-1] if self.sort_reverse else rows
        field = BY_KEY[self.sort_column].field
        if field == "model":
            def order(row):
                return (0, model_name(row["model"]).lower(), row.get("lag") or 0)
        else:
            def order(row):
                return (0, row.get(field)) if row.get(field) is not None else (1, 0)
        present = [r for r in rows if field == "model" or r.get(field) is not None]
        missing = [r for r in rows if field != "model" and r.get(field) is None]
        return sorted(present, key=order, reverse=self.sort_reverse) + missing

    def _rebuild(self) -> None:
        if not self.is_mounted:
            return
        rows = self.shown_rows()
        texts = self._cells(rows)
        keys = self._fitting_columns(texts)
        row_index = self.cursor_row
        if keys != self.shown_keys:
            self.clear(columns=True)
            for column in COLUMNS:
                if column.key in keys:
                    self.add_column(column.header, key=column.key)
            self.shown_keys = keys
        for column in COLUMNS:
            if column.key in keys:
                arrow = (" ▼" if self.sort_reverse else " ▲") if column.key == self.sort_column else ""
                self.columns[column.key].label = Text(column.header + arrow)
        self.clear()
        for index, row in enumerate(rows):
            chosen = self._is_chosen(row)
            style = "bold" if chosen else ""
            self.add_row(*(Text(texts[key][index], style=style,
                                justify="left" if key == "model" else "right") for key in keys))
        if self.row_count:
            self.move_cursor(row=min(row_index, self.row_count - 1))

    def _is_chosen(self, row: dict[str, Any]) -> bool:
        return self.chosen is not None and (row["model"], row.get("lag")) == self.chosen

    def _cells(self, rows: list[dict[str, Any]]) -> dict[str, list[str]]:
        """Each column's cells (the core's, as the CLI shows them), the chosen row's model
        marked ``▶``."""
        texts = {column.key: column_cells(column, rows) for column in COLUMNS}
        texts["model"] = [("▶ " if self._is_chosen(row) else "  ") + name
                          for row, name in zip(rows, texts["model"])]
        return texts

    def _fitting_columns(self, texts: dict[str, list[str]]) -> tuple[str, ...]:
        """Every column that always shows, then the optional ones while they fit the width
        (all of them before the table has a width)."""
        width = self.scrollable_content_region.width
        if width <= 0:
            return tuple(column.key for column in COLUMNS)

        def needed(key: str, label: str) -> int:
            arrow = 2 if key == self.sort_column else 0  # " ▲"
            return max([len(label) + arrow] + [len(t) for t in texts[key]]) + 2 * self.cell_padding

        labels = {column.key: column.header for column in COLUMNS}
        keys = [key for key in labels if key not in OPTIONAL_COLUMNS]
        used = sum(needed(key, labels[key]) for key in keys)
        for key in OPTIONAL_COLUMNS:
            if used + needed(key, labels[key]) <= width:
                keys.append(key)
                used += needed(key, labels[key])
        return tuple(key for key in labels if key in keys)

    # ----- export ----------------------------------------------------------------------------

    def to_csv(self) -> str:
        """Every figure at full precision, in the shown order."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(EXPORT_FIELDS)
        for row in self.shown_rows():
            chosen = self._is_chosen(row)
            writer.writerow(["" if row.get(f) is None else row.get(f) for f in EXPORT_FIELDS[:-1]]
                            + ["yes" if chosen else ""])
        return out.getvalue()

    def to_markdown(self) -> str:
        """The shown table as a Markdown table (what ``y`` copies)."""
        header = [column.header for column in COLUMNS]
        lines = ["| " + " | ".join(header) + " |",
                 "|" + "|".join([":--"] + ["--:"] * (len(header) - 1)) + "|"]
        rows = self.shown_rows()
        texts = {column.key: column_cells(column, rows) for column in COLUMNS[1:]}
        for index, row in enumerate(rows):
            cells = [model_name(row["model"]) + (" **(chosen)**" if self._is_chosen(row) else "")]
            cells += [texts[column.key][index] for column in COLUMNS[1:]]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"
