"""Plain-text views of a data summary and an analysis, shared by the CLI and the app.

Kept apart from the computations so the numbers have one source and every front end words
them the same way.
"""

from __future__ import annotations

from .acf import AcfAnalysis
from .analysis import SeriesAnalysis
from .candidates import UNIT_WORDS
from .cells import seeds_cell
from .data import DataSummary
from .names import MODEL_NAMES  # noqa: F401 - re-exported
from .report import chosen_model

DROP_WORDS = {
    "missing": "missing value",
    "infinite": "infinite value",
    "duplicate_timestamp": "duplicate timestamp (last kept)",
    "bad_timestamp": "unreadable timestamp",
    "before_start": "before «start»",
    "after_end": "after «end»",
    "before_last_n": "before «last»",
}


def describe_summary(summary: DataSummary) -> list[str]:
    """A few lines: what was read, what was dropped, which natural periods follow."""
    span = ""
    if summary.first and summary.last:
        daily = all(t.endswith("T00:00:00") for t in (summary.first, summary.last))
        span = f" ({_when(summary.first, daily)} → {_when(summary.last, daily)})"
    freq = summary.frequency
    lines = [
        f"{summary.path}: column {summary.column!r}, {summary.n:,} points{span}",
        f"  frequency: {freq.description}" + (f" [{freq.alias}]" if freq.alias else ""),
    ]
    if summary.time_column is None:
        lines.append("  no timestamp column: row order is taken as time order")
    if freq.seasonal_periods:
        periods = ", ".join(
            f"{p} ({name})" for p, name in zip(freq.seasonal_periods, freq.period_names)
        )
        lines.append(f"  natural periods: {periods}")
    if summary.dropped:
        parts = [f"{count:,} {DROP_WORDS.get(why, why)}" for why, count in summary.dropped.items()]
        lines.append(f"  dropped {sum(summary.dropped.values()):,} of {summary.n_rows:,} rows: " + ", ".join(parts))
    return lines


def _when(iso: str, daily: bool) -> str:
    """ISO timestamp without the noise: no ``T``, no midnight for daily data."""
    return iso.removesuffix("T00:00:00") if daily else iso.replace("T", " ")


def describe_findings(analysis: SeriesAnalysis) -> list[str]:
    """The ACF findings, one row per transform, then the candidates with their reasons."""
    seen = analysis.points if analysis.points is not None else analysis.series.summary.n
    part = "" if seen >= analysis.series.summary.n else f", first {seen:,} points: before the test block"
    lines = [f"ACF findings (max lag {analysis.max_lag}, alpha {analysis.alpha:g}{part})"]
    header = (
        f"  {'series':<12} {'1st insig':>9} {'max sig':>8} {'seas.peak':>9} "
        f"{'PACF cut':>8} {'AR AIC':>6} {'AR BIC':>6}  peaks (strongest first)"
    )
    lines.append(header)
    for result in analysis.transforms.values():
        lines.append(_finding_row(result))
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
    return lines


def _finding_row(result: AcfAnalysis) -> str:
    peaks = ", ".join(map(str, result.peaks[:6])) or "—"
    if len(result.peaks) > 6:
        peaks += ", …"
    return (
        f"  {result.label:<12} {result.first_insignificant_lag:>9} {result.max_significant_lag:>8} "
        f"{_num(result.seasonal_peak_lag, ''):>9} {result.pacf_cutoff:>8} {result.ar_order_aic:>6} "
        f"{result.ar_order_bic:>6}  {peaks}"
    )


def plot_acf_text(result: AcfAnalysis, width: int = 78, height: int = 15) -> str:
    """The ACF as a terminal chart (plotext), with its band and the article's cutoff marked."""
    import plotext as plt

    plt.clear_figure()
    plt.plotsize(width, height)
    lags = result.lags.tolist()
    plt.plot(lags, result.band_high.tolist(), color="gray", label="band")
    plt.plot(lags, result.band_low.tolist(), color="gray")
    plt.bar(lags, result.acf.tolist(), color="blue", width=0.1)
    plt.vline(result.first_insignificant_lag, "red")
    plt.title(
        f"ACF ({result.label}); first insignificant lag {result.first_insignificant_lag} (red)"
    )
    plt.xlabel("lag")
    plt.theme("clear")
    text = plt.build()
    plt.clear_figure()
    return text




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


def describe_leaderboard(report: dict) -> list[str]:
    """The leaderboard and the choice, from a run report (fresh or stored)."""
    chosen, model = report.get("chosen_lag"), chosen_model(report)
    article = report.get("mse_scale") == "minmax"
    how = "the article's rule on test, MSE on scaled values" if article else "validation chooses, test reports"
    lines = [
        f"Leaderboard ({report.get('target_words', report.get('target', ''))}; {how})",
        f"  {'model':<15} {'lag':>5} {'val MSE':>11} {'± SE':>9} {'test MSE':>11} "
        f"{'skill':>7} {'MASE':>6} {'dir.acc':>7} {'PT p':>7} {'DM p':>8} {'stab.':>5} {'seeds':>5}",
    ]
    for row in report.get("leaderboard", []):
        mark = "▶" if row["model"] == model and row.get("lag") == chosen else " "
        lines.append(
            f"{mark} {MODEL_NAMES.get(row['model'], row['model']):<15} {_num(row.get('lag'), 'd'):>5} "
            f"{_num(row.get('val_mse'), '.4g'):>11} {_num(row.get('val_mse_se'), '.2g'):>9} "
            f"{_num(row.get('test_mse'), '.4g'):>11} {_num(row.get('skill'), '.3f'):>7} "
            f"{_num(row.get('mase'), '.3f'):>6} {_num(row.get('directional_accuracy'), '.3f'):>7} "
            f"{_num(row.get('pt_p'), '.2g'):>7} "
            f"{_num(row.get('dm_p_vs_persistence'), '.2g'):>8} {_num(row.get('stability'), '.2f'):>5}"
            f" {seeds_cell(row):>5}"
        )
    majority = next((r.get("majority_rate") for r in report.get("leaderboard", [])
                     if r.get("majority_rate") is not None), None)
    if majority is not None:
        lines.append(f"  majority-direction rate (training): {majority:.3f}")
    if any(row.get("left_race_after") is not None for row in report.get("leaderboard", [])):
        lines.append("  seeds: LSTMs averaged per lag; ✗ left the race, significantly worse than the leader")
    lines += describe_race(report)
    lines += ["", f"Chosen sequence length: {chosen}", f"  {report.get('verdict', '')}"]
    if report.get("runner_up") is not None:
        lines.append(f"  runner-up: {report['runner_up']}")
    p_naive, p_best = report.get("test_dm_p_vs_persistence"), report.get("test_dm_p_vs_best")
    if not article:
        lines.append(
            f"  test: DM p vs persistence {_num(p_naive, '.3g')}"
            + ("" if p_best is None else f", vs the best lag ({report.get('best_lag')}) {p_best:.3g}")
        )
    for warning in report.get("warnings", []):
        lines.append(f"  warning: {warning}")
    return lines
