"""What a run returns: its leaderboard rows, its result, and the result as the JSON report.

Kept apart from the engine that fills them so the front ends, the race and the article's
report can build and read rows without importing the run itself.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .analysis import SeriesAnalysis
from .options import RunOptions
from .selection import Selection
from .windows import TARGET_WORDS


@dataclass(frozen=True)
class LeaderboardRow:
    model: str
    lag: int | None
    val_mse: float | None = None
    val_mse_se: float | None = None
    test_mse: float | None = None
    test_mae: float | None = None
    mase: float | None = None
    skill: float | None = None
    directional_accuracy: float | None = None
    dm_p_vs_persistence: float | None = None
    stability: float | None = None
    majority_rate: float | None = None
    pt_p: float | None = None  # Pesaran–Timmermann p-value of the directional accuracy
    seeds: int | None = None  # the judge's seeds averaged at this lag (racing gives contenders more)
    left_race_after: int | None = None  # seeds this lag had when it left the race; None: it stayed


    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class RunResult:
    analysis: SeriesAnalysis
    options: RunOptions
    target: str
    lags: tuple[int, ...]
    leaderboard: tuple[LeaderboardRow, ...]
    selection: Selection
    test_p_vs_best: float | None
    test_p_vs_persistence: float | None
    device: str
    split: dict
    timings: dict[str, float] = field(default_factory=dict)
    target_reason: str = ""
    device_choice: dict = field(default_factory=dict)  # requested, why, the rates that chose it
    race: dict = field(default_factory=dict)  # RaceResult.to_dict: seeds per lag, who left when
    training: dict | None = None  # RaceResult.training_summary: early stops, models at the cap
    #: The leaderboard model whose lag is chosen (the judge: "lstm", or a stand-in).
    chosen_model: str = "lstm"
    #: With a declared network: the scout's and the network's picks and how they agree
    #: (:class:`.model_stage.Transfer`, with the scout's race); None with one stage.
    transfer: dict | None = None

    @property
    def chosen_lag(self) -> int:
        return self.selection.chosen_lag

    def to_report(self, asset: str, file: str, options: dict | None = None, shown_as: str | None = None) -> dict:
        """The JSON report: everything ``analyze`` reports, plus the benchmark and the choice.

        ``options``: what the report records and hashes (the run's options and the data
        selection, ``runner.report_options``; the run's own by default); ``shown_as``: see
        :func:`.report.report_header`."""
        from .report import report_header

        selection = self.selection
        return {
            **report_header(self.analysis.to_dict(), asset, file,
                            self.options.to_dict() if options is None else options, shown_as),
            "target": self.target,
            "target_words": TARGET_WORDS[self.target],
            "target_reason": self.target_reason,
            "lags": list(self.lags),
            "split": self.split,
            "leaderboard": [row.to_dict() for row in self.leaderboard],
            "chosen_lag": selection.chosen_lag,
            "chosen_model": self.chosen_model,
            "best_lag": selection.best_lag,
            "runner_up": selection.runner_up,
            "qualified": list(selection.qualified),
            "within_one_se": list(selection.within),
            "priors_passed_over": list(selection.priors_beaten),
            # The one-SE set when it spans more than an octave; reports before it have no
            # such field (history.report_plateau derives it from within_one_se).
            "plateau": None if selection.plateau is None else selection.plateau.to_dict(),
            "choice_rule": selection.rule or None,
            "gate_p_values": {str(k): v for k, v in selection.gate_p_values.items()},
            "reason": selection.reason,
            "verdict": selection.verdict,
            "warnings": list(self.analysis.warnings) + list(selection.warnings),
            "test_dm_p_vs_best": self.test_p_vs_best,
            "test_dm_p_vs_persistence": self.test_p_vs_persistence,
            "race": self.race,
            "transfer": self.transfer,
            "training": self.training,
            "device": self.device,
            "device_choice": self.device_choice,
            "timings": self.timings,
        }
