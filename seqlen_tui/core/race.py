"""Racing the candidate lags: seeds go to the lags that can still win.

Every candidate starts with the same ``seeds`` (common random numbers: seed s starts every lag
from the same weights and batch order). After each round the *leader* is the lag with the
lowest validation MSE of its seed-averaged forecast; every other lag whose paired loss is worse
than the leader's with a one-sided Diebold–Mariano p below ``RACE_ALPHA`` — Holm-adjusted over
the lags still in the race — leaves it. The survivors get one more seed each, and the race
ends when one lag is left or the survivors have ``seeds_max`` seeds (they cannot be told apart
at that many).

Why: a fixed count spends as many seeds on a hopeless lag as on a contender, and too few on
the contenders — measured on a smooth hourly series, three seeds left lags 26 % apart in
validation MSE "within one SE". Racing (Maron & Moore's Hoeffding races; irace's F-race) keeps
the comparison that matters well estimated for about the cost of the fixed count. The bar is
strict (p < 0.01 after Holm) because a lag that leaves never comes back.

The rules are the functions below (:func:`race_exits`, :func:`race_over`); the loop that
applies them round by round is :class:`Race`, and :func:`run_race` runs one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from .candidates import refinement_rungs
from .events import GroupTrained, LeaderboardRows, RaceExits, Reporter
from .leaderboard import provisional_rows
from .metrics import diebold_mariano
from .names import counted
from .options import DEFAULT_SEEDS_MAX, RunOptions, ladder_on, seeds_cap  # noqa: F401 - the race's cap, declared with its option
from .seed_stats import race_losses, seed_average
from .selection import holm_adjust
from .training import Job, Judge
from .windows import Prepared

#: A lag leaves the race when the leader beats it at this Holm-adjusted one-sided DM p-value.
RACE_ALPHA = 0.01


@dataclass(frozen=True)
class RaceExit:
    """A lag that left the race: after which round, with how many seeds, beaten by whom."""

    lag: int
    round: int
    seeds: int
    leader: int
    p_value: float  # Holm-adjusted one-sided DM p that the leader's loss is lower

    def to_dict(self) -> dict:
        return asdict(self)


def race_exits(val_losses: dict[int, np.ndarray], alive: list[int], round_number: int,
               seeds: dict[int, int], alpha: float = RACE_ALPHA) -> list[RaceExit]:
    """The lags of ``alive`` that leave after this round (none when only one is alive).

    ``val_losses[lag]`` are the per-point validation losses of the lag's seed-averaged
    forecast; ``seeds[lag]`` how many seeds that average holds. The test counts the
    validation points' noise only. Counting the seeds' disagreement too (as the choice does)
    was measured on the quality corpus and dropped: with two seeds it kept a smooth hourly
    temperature's day (24) in the race, and the choice then took that prior at 2.37× the best
    unseen MSE (26 wins).
    """
    if len(alive) < 2:
        return []
    means = {lag: float(np.mean(val_losses[lag])) for lag in alive}
    leader = min(alive, key=lambda lag: (means[lag], lag))
    raw = {lag: diebold_mariano(val_losses[leader], val_losses[lag], alternative="less")[1]
           for lag in alive if lag != leader}
    adjusted = holm_adjust(raw)
    return [RaceExit(lag, round_number, seeds[lag], leader, float(p))
            for lag, p in sorted(adjusted.items()) if np.isfinite(p) and p < alpha]


def race_over(alive: list[int], seeds: dict[int, int], seeds_max: int) -> bool:
    """One lag left, or every survivor at the seed cap."""
    return len(alive) < 2 or all(seeds[lag] >= seeds_max for lag in alive)


def describe_exits(exits: list[RaceExit]) -> str:
    """One log line for a round's exits."""
    by_leader = {exit.leader for exit in exits}
    leader = by_leader.pop() if len(by_leader) == 1 else None
    lags = ", ".join(f"{exit.lag} (p {exit.p_value:.2g})" for exit in exits)
    seeds = {exit.seeds for exit in exits}
    after = f"after {seeds.pop()} seeds" if len(seeds) == 1 else "after round " + str(exits[0].round)
    return (f"left the race {after}: {lags} — significantly worse than "
            f"{leader if leader is not None else 'the leader'} (one-sided DM, Holm-adjusted p < {RACE_ALPHA:g})")


@dataclass
class RaceResult:
    """What the race trained: every fold's level forecasts per (lag, seed), who left when,
    and how the LSTMs' training ended."""

    per_seed: list[dict[Job, np.ndarray]]
    exits: list
    seeds: dict[int, int]
    rounds: int
    seeds_start: int
    seeds_max: int  # equal to seeds_start: no race
    ended: str = ""  # "one left", "cap" (seeds_max reached) or "budget" (race_work spent)
    #: Per (fold, job): whether early stopping ended its training, and after how many epochs.
    stopped_early: dict[tuple[int, Job], bool] = field(default_factory=dict)
    epochs: dict[tuple[int, Job], int] = field(default_factory=dict)
    #: Lags the race added around its leader (:func:`.candidates.refinement_rungs`), each with
    #: the round after which it was added and the leader it refined.
    refined: dict[int, tuple[int, int]] = field(default_factory=dict)

    @property
    def lags(self) -> tuple[int, ...]:
        """Every lag the race trained, shortest first."""
        return tuple(sorted(self.seeds))

    def training_summary(self, epoch_cap: int) -> dict:
        """How many models stopped early and how many were still improving at the cap."""
        models = len(self.stopped_early)
        early = sum(self.stopped_early.values())
        epochs = list(self.epochs.values())
        return {"models": models, "stopped_early": early, "at_cap": models - early,
                "epoch_cap": epoch_cap, "median_epochs": float(np.median(epochs)) if epochs else None}

    def to_dict(self) -> dict:
        return {"seeds": self.seeds_start, "seeds_max": self.seeds_max, "rounds": self.rounds, "ended": self.ended,
                "seeds_per_lag": {str(lag): n for lag, n in sorted(self.seeds.items())},
                "exits": [exit.to_dict() for exit in self.exits],
                "refined": [{"lag": lag, "after_round": round_number, "leader": leader}
                            for lag, (round_number, leader) in sorted(self.refined.items())]}


class Race:
    """One race in progress: the lags still in it (``alive``), the seeds each has, the work
    done against the budget's allowance, and what every fold's models forecast so far.

    A round trains ``jobs`` on every fold (:meth:`train_round`); then the lags significantly
    worse than the leader leave (:meth:`eliminate`), and the survivors get one more seed each
    (:meth:`next_round`) until :meth:`over` or the budget is spent. The order in which jobs are
    trained and seeds handed out is the protocol's: results depend on it bit for bit.
    """

    def __init__(self, fold_prepared: list[Prepared], fold_targets: list[np.ndarray], fold_n_val: list[int],
                 lags, judge: Judge, options: RunOptions, reporter: Reporter) -> None:
        self.fold_prepared, self.fold_targets, self.fold_n_val = fold_prepared, fold_targets, fold_n_val
        self.lags, self.judge, self.options, self.reporter = lags, judge, options, reporter
        # A deterministic judge gives every seed the same forecast: nothing to race.
        self.seeds_max = seeds_cap(options) if getattr(judge, "seeded", True) else options.seeds
        self.seeds = dict.fromkeys(lags, options.seeds)
        self.alive = list(lags)
        # Per fold: each (lag, seed)'s level forecasts, filled in as groups finish training.
        self.per_seed: list[dict[Job, np.ndarray]] = [{} for _ in fold_targets]
        self.result = RaceResult(self.per_seed, [], self.seeds, 0, options.seeds, self.seeds_max)
        # The first fold's validation levels: what the live table's provisional rows are scored on.
        self.first_levels = fold_prepared[0].levels[fold_targets[0][:fold_n_val[0]]]
        self.rounds_left = self.seeds_max - options.seeds
        budget = getattr(judge, "budget", None)
        self.work_allowed = (budget.race_work if budget else 1.0) * sum(lags)  # in lag-steps per round
        self.work_done, self.ended = sum(lags), "cap"  # "budget" when the work allowed runs out
        # This round's jobs: every lag with every starting seed, then one new seed per survivor.
        self.jobs = [Job(lag, options.seed + s) for lag in lags for s in range(options.seeds)]
        # A later round's jobs, as :meth:`next_round` decided them: the survivors that get one
        # more seed, and the lags that join from the ladder (what the round announces).
        self.more_seeds: list[int] = []
        self.joining: tuple[int, ...] = ()
        # This round's seed-averaged validation losses (:meth:`round_losses`), and their round.
        self._losses: tuple[int, dict] = (0, {})

    @property
    def racing(self) -> bool:
        """Whether lags may get more seeds than they start with (else: the fixed-seed protocol)."""
        return self.seeds_max > self.options.seeds

    def run(self) -> RaceResult:
        """Rounds until one lag is left, the survivors reach the seed cap, or the budget is spent
        — and, with the ladder, until the leader's neighbours are close (:meth:`refine`)."""
        while True:
            self.train_round()
            if not self.over():
                self.eliminate()
            added = self.refine()
            if self.over() and not added:
                break
            if not self.next_round(added):
                break
        self.announce_end()
        self.result.ended = self.ended if len(self.alive) > 1 else "one left"
        return self.result

    def over(self) -> bool:
        """One lag left, or every survivor at the seed cap."""
        return race_over(self.alive, self.seeds, self.seeds_max)

    def train_round(self) -> None:
        """Train this round's jobs on every fold, in fold order."""
        self.result.rounds += 1
        share = self.announce_round()
        for index in range(len(self.fold_prepared)):
            self.train_fold(index, share)

    def announce_round(self) -> tuple[float, float]:
        """Say what this round trains; return its share of the run's progress bar."""
        rounds = self.result.rounds
        if rounds == 1:
            seeds = self.options.seeds
            self.reporter.stage("train", f"training {counted(len(self.lags), 'lag')} × {counted(seeds, 'seed')}"
                                + (f" (racing: up to {self.seeds_max} seeds for the lags still in contention)"
                                   if self.racing else ""))
            return (0.03, 0.95 if self.rounds_left == 0 and not ladder_on(self.options) else 0.70)
        self.reporter.stage("race", self.describe_round(rounds))
        # Later rounds share what is left, one slice per possible round (refinement rounds past
        # the seeds' last one stay in the last slice).
        slots = max(self.rounds_left, 1)
        slot = min(rounds - 1, slots)
        return tuple(0.70 + 0.25 * (slot - k) / slots for k in (1, 0))

    def describe_round(self, rounds: int) -> str:
        """What a later round trains: one more seed for the survivors, the lags the ladder added."""
        parts = []
        if self.more_seeds:
            parts.append(f"{', '.join(map(str, self.more_seeds))} get seed {self.seeds[self.more_seeds[0]]} "
                         f"of at most {self.seeds_max}")
        if self.joining:
            parts.append(f"{', '.join(map(str, self.joining))} join from the ladder with "
                         f"{counted(self.options.seeds, 'seed')}")
        return f"race round {rounds}: " + "; ".join(parts)

    def train_fold(self, index: int, share: tuple[float, float]) -> None:
        """Train the round's jobs on fold ``index``; its forecasts arrive group by group (the
        fused LSTM) or all at once (a judge that reports no groups, such as ridge)."""
        prepared, folds = self.fold_prepared[index], len(self.fold_prepared)
        if folds > 1:
            self.reporter.stage("fold", f"fold {index + 1}/{folds}: validation from "
                                        f"target {self.fold_targets[index][0]}")
        part = self.reporter.part(share[0] + (share[1] - share[0]) * index / folds,
                                  share[0] + (share[1] - share[0]) * (index + 1) / folds)

        def on_group(event) -> None:
            if isinstance(event, GroupTrained):
                self.result.stopped_early.update({(index, job): flag for job, flag in event.stopped_early.items()})
                self.result.epochs.update({(index, job): n for job, n in event.epochs.items()})
                self.absorb(index, event.predictions)

        scaled = self.judge.predict(prepared, self.jobs, self.fold_targets[index], part.tap(on_group))
        unshown = {job: pred for job, pred in scaled.items() if job not in self.per_seed[index]}
        if unshown:  # a judge that reports no groups (ridge): its rows come all at once
            self.absorb(index, unshown)

    def absorb(self, index: int, predictions: dict) -> None:
        """Keep fold ``index``'s new forecasts (as levels); the live table follows the first fold."""
        prepared = self.fold_prepared[index]
        done = {job: prepared.to_levels(p, self.fold_targets[index]) for job, p in predictions.items()}
        self.per_seed[index].update(done)
        if index == 0:
            finished = {job.lag for job in done}
            averaged = {key: pred for key, pred in seed_average(self.per_seed[0], self.judge.name).items()
                        if key[1] in finished}
            self.reporter.send(LeaderboardRows(f"{len(averaged)} provisional row(s)",
                                               rows=tuple(provisional_rows(averaged, self.first_levels, self.seeds))))

    def round_losses(self) -> dict:
        """This round's seed-averaged validation losses (all folds) of the lags in the race,
        computed once a round: the exits and the ladder's leader read the same numbers. (Within
        a round the race only loses lags, so the survivors' losses are among them.)"""
        computed_in, losses = self._losses
        if computed_in != self.result.rounds:
            losses = race_losses(self.per_seed, self.fold_prepared, self.fold_targets, self.fold_n_val,
                                 self.alive, self.judge.name)
            self._losses = (self.result.rounds, losses)
        return losses

    def eliminate(self) -> None:
        """The lags the leader beats significantly (all folds' validation together) leave."""
        exits = race_exits(self.round_losses(), self.alive, self.result.rounds, self.seeds)
        if not exits:
            return
        self.result.exits.extend(exits)
        self.alive = [lag for lag in self.alive if lag not in {exit.lag for exit in exits}]
        self.reporter.send(RaceExits(describe_exits(exits), exits=tuple(exits), round=self.result.rounds,
                                     alive=tuple(self.alive)))

    def refine(self) -> tuple[int, ...]:
        """With the ladder on: the lags to add around this round's leader where its nearest
        trained neighbours are more than ``LADDER_RATIO`` apart. The first round tried the
        evidence and a coarse ladder (no gap over an octave); a finer ladder everywhere would
        cost several times the run, so it is spent only where the race says the best window is.
        They join the race with the starting seeds (their work is not the race's budget: it is
        the candidates' own search)."""
        if not ladder_on(self.options) or not self.alive:
            return ()
        losses = self.round_losses()
        leader = min(self.alive, key=lambda lag: (float(np.mean(losses[lag])), lag))
        added = refinement_rungs(tuple(self.seeds), leader)
        for lag in added:
            self.result.refined[lag] = (self.result.rounds, leader)
        if added:
            self.reporter.info(f"ladder: refining around the leader {leader}: adding "
                               f"{', '.join(map(str, added))}", stage="race")
        return added

    def next_round(self, added: tuple[int, ...] = ()) -> bool:
        """One more seed for each survivor, if the budget's race work allows another round (and
        the seeds are not at their cap); the ``added`` lags start with the starting seeds."""
        more_seeds = not self.over()
        if more_seeds and self.work_done + sum(self.alive) > self.work_allowed:
            self.ended = "budget"
            more_seeds = False
        if not (more_seeds or added):
            return False
        survivors = list(self.alive) if more_seeds else []
        self.more_seeds, self.joining = survivors, added
        self.work_done += sum(survivors)
        self.jobs = [Job(lag, self.options.seed + self.seeds[lag]) for lag in survivors]
        self.jobs += [Job(lag, self.options.seed + s) for lag in added for s in range(self.options.seeds)]
        for lag in survivors:
            self.seeds[lag] += 1
        for lag in added:
            self.seeds[lag] = self.options.seeds
        self.alive = sorted([*self.alive, *added])
        return True

    def announce_end(self) -> None:
        """Why the race ended (only when there was a race)."""
        if not self.racing:
            return
        alive = self.alive
        if len(alive) == 1:
            why = f"{alive[0]} is the only lag left"
        elif self.ended == "budget":
            tied = ", ".join(map(str, alive))
            why = (f"the budget's training is spent ({tied} still in contention, with "
                   f"{counted(max(self.seeds[lag] for lag in alive), 'seed')})")
        else:
            why = f"{', '.join(map(str, alive))} could not be told apart at {self.seeds_max} seeds"
        self.reporter.info(f"race over: {why}", stage="race")


def run_race(fold_prepared: list[Prepared], fold_targets: list[np.ndarray], fold_n_val: list[int], lags,
             judge: Judge, options: RunOptions, reporter: Reporter) -> RaceResult:
    """Train every lag with ``options.seeds`` seeds, then race: after each round the lags
    significantly worse than the leader leave, the others get one more seed.

    Every fold trains each round; the race reads the validation losses of all folds together.
    The first fold's rows are emitted live as lags finish.
    """
    return Race(fold_prepared, fold_targets, fold_n_val, lags, judge, options, reporter).run()
