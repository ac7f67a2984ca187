"""Plain-text views of a data summary and an analysis, shared by the CLI and the app.

Kept apart from the computations so the numbers have one source and every front end words
them the same way.
"""

from __future__ import annotations

from .acf import AcfAnalysis
from .analysis import SeriesAnalysis
from .candidates import UNIT_WORDS
from .data import DataSummary
from .history import report_judge
from .leaderboard_columns import KEY_LINES, LEADERBOARD_COLUMNS, key_line, table_cells
from .names import MODEL_NAMES  # noqa: F401 - re-exported
from .report import chosen_model

DROP_WORDS = {
    "missing": "missing value",
    "infinite": "infinite value",
    "duplicate_timestamp": "duplicate timestamp (last kept)",
    "bad_timestamp": "unreadable timestamp",
    "epoch_sentinel": "epoch sentinel (0, -1 or far before the rest)",
    "before_start": "before «start»",
    "after_end": "after «end»",
    "before_last_n": "before «last»",
}


def wrapped(lines: list[str], width: int | None) -> list[str]:
    """Each line wrapped at word boundaries to ``width`` (None: as is), continuation lines
    indented under the line's text, so nothing is cut and nothing breaks mid-word."""
    if not width:
        return lines
    import textwrap

    out = []
    for line in lines:
        if len(line) <= width:
            out.append(line)
            continue
        lead = len(line) - len(line.lstrip(" "))
        hang = lead + 4 if lead < width // 2 else lead
        text = _paths_fitted(line.strip(), width - hang)
        out.extend(textwrap.wrap(text, width, initial_indent=" " * lead, subsequent_indent=" " * hang,
                                 break_long_words=True, break_on_hyphens=False) or [""])
    return out


#: Joins the words of a path with spaces into one word for the wrapper (it breaks only at
#: ASCII whitespace); :func:`describe_summary` turns it back into a space once wrapped.
_PATH_SPACE = "\u00a0"


def _paths_fitted(text: str, room: int) -> str:
    """Each path in ``text`` too long for a line of ``room`` characters, abbreviated in the
    middle (:func:`~seqlen_tui.core.pathtext.abbreviated`), so the wrapper never has to cut a
    file name: a path is one long word to it, and it would break ``MSFT.csv`` wherever the
    line ends.  Trailing punctuation (``:`` after the file) stays outside the path."""
    import os
    import re

    from .pathtext import abbreviated

    def fit(match: re.Match) -> str:
        word = match.group(0)
        if len(word) <= room or not ("/" in word or os.sep in word):
            return word
        path = word.rstrip(":;,.)")
        end = word[len(path):]
        return abbreviated(path, max(1, room - len(end))) + end

    return re.sub(r"[^ ]+", fit, text)


def describe_summary(summary: DataSummary, width: int | None = None) -> list[str]:
    """A few lines: what was read, what was dropped, which natural periods follow; wrapped
    to ``width`` when given (the file, column, points and time range are never cut).

    The file is shown relative to the working folder when that is shorter, and a path too
    long for the width loses middle folders rather than having its file name cut."""
    span = ""
    if summary.first and summary.last:
        daily = all(t.endswith("T00:00:00") for t in (summary.first, summary.last))
        span = f" ({_when(summary.first, daily)} → {_when(summary.last, daily)})"
    freq = summary.frequency
    from .pathtext import relative_when_shorter

    path = relative_when_shorter(summary.path)
    if width:  # one word for the wrapper: shortened in its middle, never cut (see wrapped)
        path = path.replace(" ", _PATH_SPACE)
    lines = [
        f"{path}: column {summary.column!r}, {summary.n:,} points{span}",
        f"  frequency: {freq.description}" + (f" [{freq.alias}]" if freq.alias else ""),
    ]
    if summary.time_column is None:
        lines.append("  no timestamp column: row order is taken as time order")
    lines.extend(f"  {note}" for note in summary.notes)
    if freq.seasonal_periods:
        periods = ", ".join(
            f"{p} ({name})" for p, name in zip(freq.seasonal_periods, freq.period_names)
        )
        lines.append(f"  natural periods: {periods}")
    if summary.dropped:
        parts = [f"{count:,} {DROP_WORDS.get(why, why)}" for why, count in summary.dropped.items()]
        lines.append(f"  dropped {sum(summary.dropped.values()):,} of {summary.n_rows:,} rows: " + ", ".join(parts))
    return [line.replace(_PATH_SPACE, " ") for line in wrapped(lines, width)]


def _when(iso: str, daily: bool) -> str:
    """ISO timestamp without the noise: no ``T``, no midnight for daily data."""
    return iso.removesuffix("T00:00:00") if daily else iso.replace("T", " ")


def describe_findings(analysis: SeriesAnalysis, width: int | None = None) -> list[str]:
    """The ACF findings, one row per transform (one block per transform when ``width`` is too
    narrow for the table), then the candidates with their reasons, wrapped to ``width``."""
    seen = analysis.points if analysis.points is not None else analysis.series.summary.n
    part = "" if seen >= analysis.series.summary.n else f", first {seen:,} points: before the test block"
    lines = [f"warning: {warning}" for warning in analysis.warnings]
    lines.append(f"ACF findings (max lag {analysis.max_lag}, alpha {analysis.alpha:g}{part})")
    table = [f"  {'series':<12} {'1st insig':>9} {'max sig':>8} {'seas.peak':>9} "
             f"{'PACF cut':>8} {'AR AIC':>6} {'AR BIC':>6}  peaks (strongest first)"]
    table += [_finding_row(result) for result in analysis.transforms.values()]
    if width is None or max(map(len, table)) <= width:
        lines.extend(table)
    else:
        for result in analysis.transforms.values():
            lines.extend(_finding_block(result))
    for name, why in analysis.skipped.items():
        lines.append(f"  {name:<12} skipped: {why}")
    lines.append("")
    cands = analysis.candidates
    units = UNIT_WORDS.get(analysis.target, analysis.target)
    lines.append(f"Candidate sequence lengths, in lags of {units} ({len(cands.candidates)}): "
                 + ", ".join(map(str, cands.lags)))
    for cand in cands.candidates:
        lines.append(f"  {cand.lag:>5}  " + "; ".join(cand.reasons))
    if cands.dropped:
        lines.append(f"Dropped ({len(cands.dropped)}):")
        for dropped in cands.dropped:
            lines.append(f"  {dropped.lag:>5}  {dropped.reason}")
    return _wrapped_table(lines, width)


def _wrapped_table(lines: list[str], width: int | None) -> list[str]:
    """:func:`wrapped`, with a candidate's reasons continuing under its reasons (column 9)."""
    if not width:
        return lines
    import re
    import textwrap

    out = []
    for line in lines:
        if len(line) > width and re.match(r"^  [ \d]{5}  \S", line) and width > 30:
            rest = textwrap.wrap(line[9:], width - 9, break_on_hyphens=False)
            out.append(line[:9] + rest[0])
            out.extend(" " * 9 + part for part in rest[1:])
        else:
            out.extend(wrapped([line], width))
    return out


def _finding_block(result: AcfAnalysis) -> list[str]:
    """One transform's findings as a few short lines, for a narrow screen."""
    peaks = ", ".join(map(str, result.peaks[:6])) or "—"
    if len(result.peaks) > 6:
        peaks += ", …"
    return [
        f"  {result.label}: 1st insignificant lag {result.first_insignificant_lag}, "
        f"max significant {result.max_significant_lag}, seasonal peak {_num(result.seasonal_peak_lag, '')}, "
        f"PACF cutoff {result.pacf_cutoff}, AR order AIC {result.ar_order_aic} / BIC {result.ar_order_bic}; "
        f"peaks {peaks}",
    ]


def _finding_row(result: AcfAnalysis) -> str:
    peaks = ", ".join(map(str, result.peaks[:6])) or "—"
    if len(result.peaks) > 6:
        peaks += ", …"
    return (
        f"  {result.label:<12} {result.first_insignificant_lag:>9} {result.max_significant_lag:>8} "
        f"{_num(result.seasonal_peak_lag, ''):>9} {result.pacf_cutoff:>8} {result.ar_order_aic:>6} "
        f"{result.ar_order_bic:>6}  {peaks}"
    )


def plot_acf_text(result: AcfAnalysis, width: int = 78, height: int = 15, color: bool = True) -> str:
    """The ACF as a terminal chart (plotext), lags 1 to the max lag, with its band, its peaks and
    the article's cutoff marked: the plan is :func:`.acf_chart.acf_chart`'s, the app's too.

    Lag 0 (always 1) is left out: it would squash every other lag into the zero row. Each lag is
    a stem from zero while the lags leave two columns each; more lags are drawn as dots, then as
    one line through the values, so a long ACF is not a solid block. The x ticks are round numbers
    at a fixed step (1, 2, 5 × a power of ten). The band is dotted, the peaks ``●`` and the cutoff
    dashed, so the chart reads without colour; ``color=False`` returns it without any escape code
    (for a pipe, a file or ``NO_COLOR``).
    """
    import re

    import plotext as plt

    from .acf_chart import acf_chart, draw_acf_chart
    from .chart import fitting

    columns = max(width - 8, 10)  # the plot area: the y labels and the frame take the rest
    chart = acf_chart(result.to_dict(), columns, alpha=result.alpha)
    if chart.message is not None:
        return chart.message
    plt.clear_figure()
    plt.plotsize(width, height)
    plt.theme("clear")
    draw_acf_chart(plt, chart)
    plt.title(fitting(chart.headings, columns))
    plt.xlabel(chart.xlabels[0])
    text = plt.build()
    plt.clear_figure()
    return text if color else re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


def plot_loss_text(curve, width: int = 78, height: int = 18, color: bool = True) -> str:
    """A run's error by lag (a ``loss_curve.LossCurve``) as a terminal chart (plotext): the
    judge's MSE with its ± SE bars, ridge AR, the baselines as levels, the chosen and best lags
    and the lags that left the race marked, each with its own character (see
    ``loss_curve.MARKS``), so the chart reads without colour; ``color=False`` returns it without
    any escape code (for a pipe, a file or ``NO_COLOR``). The title names the marks and the x
    label row the curves; the x ticks sit at the benchmarked lags, or at round numbers when
    their labels would not fit."""
    import re

    import plotext as plt

    from .chart import fitting
    from .loss_curve import draw_plan, plot_plan

    plan = plot_plan(curve, columns=max(width - 10, 10))
    if plan.message is not None:
        return plan.message
    plt.clear_figure()
    plt.plotsize(width, height)
    plt.theme("clear")
    draw_plan(plt, plan)
    room = width - 10  # plotext drops a title wider than the plot area
    plt.title(fitting(plan.heading, room))
    plt.xlabel(plan.legend[-1])  # the axis; the curves' key gets a line of its own below
    text = plt.build()
    plt.clear_figure()
    text = text if color else re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)
    below = wrapped(["  " + fitting(plan.key, width - 2)] + [f"  {note}" for note in plan.notes], width)
    return text.rstrip("\n") + "\n" + "\n".join(below)


def _num(value, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def describe_race(report: dict) -> list[str]:
    """How the race spent its seeds and how training ended, from a report (empty if none)."""
    lines = []
    race = report.get("race") or {}
    if race and race.get("seeds_max", 0) > race.get("seeds", 0):
        exits = race.get("exits") or []
        ended = {"one left": "one lag left", "cap": f"the survivors reached {race['seeds_max']} seeds",
                 "budget": "the budget's training was spent"}.get(race.get("ended", ""), "")
        lines.append(f"  race: {race['seeds']} seeds to start, up to {race['seeds_max']}; "
                     f"{race.get('rounds', 1)} round(s)" + (f", ended as {ended}" if ended else ""))
        for exit in exits:
            lines.append(f"    {exit['lag']} left after round {exit['round']} with {exit['seeds']} seeds "
                         f"(worse than {exit['leader']}: one-sided DM p {exit['p_value']:.2g}, Holm-adjusted)")
    training = report.get("training")
    if training and training.get("models"):
        median = training.get("median_epochs")
        lines.append(f"  training: {training['stopped_early']} of {training['models']} LSTMs stopped early"
                     + (f" (median {median:.0f} epochs)" if median is not None else "")
                     + f"; {training['at_cap']} still improving at the {training['epoch_cap']}-epoch cap")
    return lines


def leaderboard_table(rows: list[dict], marked: int | None) -> list[str]:
    """The leaderboard's header and rows (:data:`.leaderboard_columns.LEADERBOARD_COLUMNS`, the
    app's cells too), ``▶`` before row ``marked``. Each column is as wide as its widest cell, at
    least its own width, so the rows line up whatever the figures."""
    cells = table_cells(rows)
    widths = [max([column.width] + [len(text) for text in cells[column.key]]) for column in LEADERBOARD_COLUMNS]

    def line(texts: list[str]) -> str:
        return " ".join(text.ljust(width) if column.key == "model" else text.rjust(width)
                        for column, text, width in zip(LEADERBOARD_COLUMNS, texts, widths))

    table = ["  " + line([column.header for column in LEADERBOARD_COLUMNS])]
    for index in range(len(rows)):
        mark = "▶" if index == marked else " "
        table.append(f"{mark} " + line([cells[column.key][index] for column in LEADERBOARD_COLUMNS]))
    return table


def describe_transfer(transfer: dict | None) -> list[str]:
    """The two judges' line (a declared network's run): both picks and how they agree."""
    if not transfer:
        return []
    tau, cost, p = transfer.get("rank_agreement"), transfer.get("scout_pick_cost"), transfer.get("scout_pick_p")
    agreement = "" if tau is None else f"; their rankings of the finalists agree τ = {tau:+.2f}"
    costs = ("" if cost is None or p is None else
             f"; for your network the scout's pick has {cost:.2f}× the validation MSE of its own (DM p = {p:.3g})")
    return [f"  judges: the scout {transfer['scout']} chose {transfer['scout_lag']}; your {transfer['model']} "
            f"chose {transfer['model_lag']} among the finalists {', '.join(map(str, transfer['finalists']))}"
            f"{agreement}{costs}"]


def describe_leaderboard(report: dict, width: int | None = None) -> list[str]:
    """The leaderboard, a short key to its columns and the choice, from a run report (fresh or
    stored). ``width``: the prose lines are wrapped to it at word boundaries; the table's rows
    never are (a wrapped row no longer lines up).

    ``▶`` marks the chosen row: the report's ``chosen_model`` at ``chosen_lag``, or that model's
    only row (a baseline has no lag).
    """
    chosen, model = report.get("chosen_lag"), chosen_model(report)
    article = report.get("mse_scale") == "minmax"
    how = "the article's rule on test, MSE on scaled values" if article else "validation chooses, test reports"
    rows = report.get("leaderboard", [])
    same = [index for index, row in enumerate(rows) if row["model"] == model]
    marked = next((index for index in same if rows[index].get("lag") == chosen),
                  same[0] if len(same) == 1 else None)
    table = leaderboard_table(rows, marked)
    lines = []
    majority = next((r.get("majority_rate") for r in rows if r.get("majority_rate") is not None), None)
    if majority is not None:
        lines.append(f"  majority-direction rate (training): {majority:.3f}")
    if any(row.get("left_race_after") is not None for row in rows):
        lines.append("  " + key_line(("seeds",)))
    if article:
        lines.append("  test MSE: the article's MSE on MinMax-scaled values; dir.acc: share of moves called "
                     "right; no persistence baseline, so no skill, MASE or p-values")
    else:
        lines += [
            "  val MSE ± SE: validation, which chooses (Newey–West SE); test MSE … DM p: the test block, "
            "unseen by the choice",
        ] + ["  " + key_line(keys) for keys in KEY_LINES]
    lines += describe_race(report)
    lines += ["", f"Chosen sequence length: {chosen}", f"  {report.get('verdict', '')}"]
    lines += describe_transfer(report.get("transfer"))
    if report.get("runner_up") is not None:
        judged = MODEL_NAMES.get(model, model)
        lines.append(f"  runner-up: {report['runner_up']} (the lowest {'test' if article else 'validation'} "
                     f"MSE of the {judged}'s other lags)")
    p_naive, p_best = report.get("test_dm_p_vs_persistence"), report.get("test_dm_p_vs_best")
    if not article:
        lines.append(
            f"  test DM p, the choice vs persistence (one-sided): {_num(p_naive, '.3g')}"
            + ("" if p_best is None else f"; vs the best lag ({report.get('best_lag')}, two-sided): {p_best:.3g}")
        )
        if report.get("qualified") == [] and p_naive is not None and p_naive < 0.05:
            lines.append(
                "  a small p after 'not predictable': the choice beat persistence on the test block "
                "alone, and validation, tested over every candidate, did not confirm it; a hint of an "
                "edge, not proof, so the verdict stands"
            )
    for warning in report.get("warnings", []):
        lines.append(f"  warning: {warning}")
    judge = report_judge(report)
    title = (f"Leaderboard ({report.get('target_words', report.get('target', ''))}; {how}"
             + (f"; judge {judge})" if judge else ")"))
    return wrapped([title], width) + table + wrapped(lines, width)
