"""The persistence gate's family-wise error under the null, and its Holm fallback.

The gate (:func:`seqlen_tui.core.selection.gate_p_values`) says a lag "beats persistence"
when its family-wise p-value is below ``gate_alpha``. Its promise is that when no candidate
beats persistence in truth, the share of runs where *any* lag qualifies is about
``gate_alpha`` — whether the candidates make independent errors or near-identical ones (LSTMs
at neighbouring lags). These tests simulate that null with the gate itself and count.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.signal import lfilter

from seqlen_tui.core import metrics
from seqlen_tui.core.metrics import holm_adjust, stepdown_p_values
from seqlen_tui.core.selection import GATE_REPS, gate_p_values

GATE_ALPHA = 0.05
#: Simulated families per case: the share's binomial SE at 0.05 is 0.011, so a gate of true
#: size 0.05 lands in [0.02, 0.08] with probability 0.99.
FAMILIES = 400
#: Candidates per family (the proposal's usual count) and validation points per lag (the
#: selection's ``VALIDATION_POINTS_WANTED`` is 300; 200 keeps each case under 5 s).
CANDIDATES = 8
POINTS = 200


def null_families(seed: int, correlation: float, ar: float) -> tuple[np.ndarray, np.ndarray]:
    """``FAMILIES`` families of per-point validation losses that do not beat persistence.

    Returns ``(naive, losses)`` of shapes (families, points) and (families, candidates,
    points). Each lag's loss differential ``d = naive − loss`` has mean 0 exactly in truth;
    it is AR(1) with coefficient ``ar`` in time (serially correlated, as losses of
    autocorrelated forecast errors are: what the HAC standard error is for) and correlated
    ``correlation`` across candidates through one shared shock. Persistence's own loss is a
    squared standard normal plus one (positive, skewed); only the differences matter.
    """
    rng = np.random.default_rng(seed)
    shared = rng.standard_normal((FAMILIES, 1, POINTS))
    own = rng.standard_normal((FAMILIES, CANDIDATES, POINTS))
    shocks = np.sqrt(correlation) * shared + np.sqrt(1.0 - correlation) * own
    differential = 0.1 * lfilter([1.0], [1.0, -ar], shocks, axis=-1)
    naive = 1.0 + rng.standard_normal((FAMILIES, POINTS)) ** 2
    return naive, naive[:, None, :] - differential


@pytest.fixture
def same_resamples_drawn_once(monkeypatch):
    """The gate draws its bootstrap resamples from a fixed seed, so every family of a case
    (same points, same block length) gets the very same index array: draw it once per case and
    hand back a copy, the generator left exactly where the draw leaves it. The gate computes the
    same numbers, bit for bit; only the repeated drawing (half of its time here) is saved."""
    real = metrics.stationary_bootstrap_indices
    drawn: dict = {}

    def drawn_once(n, reps, block, rng):
        key = (n, reps, block, repr(rng.bit_generator.state))
        if key not in drawn:
            index = real(n, reps, block, rng)
            drawn[key] = (index, rng.bit_generator.state)
        index, after = drawn[key]
        rng.bit_generator.state = after
        return index.copy()

    monkeypatch.setattr(metrics, "stationary_bootstrap_indices", drawn_once)


def any_lag_beats_persistence_share(seed: int, correlation: float, ar: float) -> float:
    """The share of null families in which the gate lets at least one lag through."""
    naive, losses = null_families(seed, correlation, ar)
    rejected = 0
    for family_naive, family_losses in zip(naive, losses):
        gate = gate_p_values(dict(enumerate(family_losses, start=1)), family_naive)
        rejected += min(gate.values()) < GATE_ALPHA
    return rejected / FAMILIES


#: The gate is oversized at these sizes (issue 28), measured on 4,000 families each (seeds
#: 101, 102; binomial SE 0.0035) and on this test's 400 (seed 28): independent lags 0.075
#: (0.085 here), correlated 0.9 0.063 (0.070), independent AR(0.3) differentials 0.104
#: (0.1175), correlated 0.9 with AR(0.3) 0.077 (0.085). It shrinks with the points: 0.056
#: for independent lags on 1,000 points. Strict: a gate that is fixed makes these pass, and
#: then the marks must go.
OVERSIZED = pytest.mark.xfail(
    strict=True, raises=AssertionError,
    reason="the gate's family-wise error exceeds 0.08 here (measured, issue 28): "
           "the bound stays, the gate needs fixing")


@pytest.mark.parametrize(
    ("correlation", "ar"),
    [
        pytest.param(0.0, 0.0, id="independent-lags", marks=OVERSIZED),
        pytest.param(0.9, 0.0, id="lags-correlated-0.9"),
        pytest.param(0.0, 0.3, id="independent-lags-ar0.3", marks=OVERSIZED),
        pytest.param(0.9, 0.3, id="lags-correlated-0.9-ar0.3", marks=OVERSIZED),
    ],
)
@pytest.mark.usefixtures("same_resamples_drawn_once")
def test_gate_family_wise_error_under_the_null_is_near_alpha(correlation, ar):
    share = any_lag_beats_persistence_share(seed=28, correlation=correlation, ar=ar)
    assert 0.02 <= share <= 0.08, f"the gate let a lag through in {share:.3f} of null families"


def test_null_families_have_the_stated_correlations():
    """The simulation is the null it claims: mean-zero differentials, correlated as asked."""
    naive, losses = null_families(seed=1, correlation=0.9, ar=0.3)
    differential = naive[:, None, :] - losses
    assert abs(differential.mean()) < 0.002  # 0.1 · sd 1/sqrt(1 − 0.09) over 640,000 points
    across = np.corrcoef(differential[:, 0].ravel(), differential[:, 1].ravel())[0, 1]
    assert across == pytest.approx(0.9, abs=0.01)
    in_time = np.corrcoef(differential[:, 0, 1:].ravel(), differential[:, 0, :-1].ravel())[0, 1]
    assert in_time == pytest.approx(0.3, abs=0.02)


# --------------------------------------------------------------------------- Holm fallback


def _holm_fallback_family():
    """Three lags against a persistence loss of 1 on 40 points:

    * lag 1 beats it by far (mean loss 0.5, DM p ≈ 3e-8: the bootstrap never reaches its
      statistic, so its stepdown p-value sits at the floor 1/(GATE_REPS + 1));
    * lag 3 beats it modestly (a stepdown p-value well above the floor);
    * lag 2 is worse (losses 1.2, 1.4 alternating).
    """
    n = 40
    naive = np.ones(n)
    alternate = np.resize([0.0, 1.0], n)
    noise = np.random.default_rng(6).standard_normal(n)
    strong = np.random.default_rng(2).standard_normal(n)
    losses = {
        1: 0.5 + 0.5 * strong,
        2: 1.2 + 0.2 * alternate,
        3: 0.75 - 0.5 * noise,
    }
    return losses, naive


def _one_sided_dm_p(loss: np.ndarray, naive: np.ndarray) -> float:
    """The Harvey–Leybourne–Newbold DM p-value that ``loss`` is below ``naive``, written out:
    horizon 1, so the variance is γ0 (divisor n), the HLN factor is sqrt((n − 1)/n), and the
    statistic is read on Student t with n − 1 degrees of freedom."""
    d = loss - naive
    n = d.size
    statistic = d.mean() / np.sqrt(np.mean((d - d.mean()) ** 2) / n) * np.sqrt((n - 1) / n)
    return float(stats.t.cdf(statistic, df=n - 1))


def test_holm_fallback_replaces_only_p_values_at_the_bootstrap_floor():
    losses, naive = _holm_fallback_family()
    stepdown = stepdown_p_values(losses, naive, reps=GATE_REPS)
    floor = 1.0 / (GATE_REPS + 1)
    # The fallback is taken: lag 1 is at the floor, the others are not.
    assert stepdown[1] == floor
    assert floor < stepdown[3] < GATE_ALPHA and stepdown[2] == 1.0

    raw = {lag: _one_sided_dm_p(loss, naive) for lag, loss in losses.items()}
    assert raw[1] < raw[3] < raw[2]
    # Holm by hand: lag 1 has the smallest raw p of the three, so its factor is 3.
    expected_lag1 = 3 * raw[1]
    assert expected_lag1 < floor  # so the fallback lowers it

    gate = gate_p_values(losses, naive)
    assert 1e-9 < expected_lag1
    assert gate[1] == pytest.approx(expected_lag1, rel=1e-9, abs=0)
    # Lags above the floor keep their stepdown p-value, though Holm would give lag 3 one
    # below the floor.
    holm_lag3 = max(3 * raw[1], 2 * raw[3])
    assert holm_lag3 < floor
    assert gate[3] == stepdown[3]
    assert gate[2] == stepdown[2] == 1.0


def test_no_fallback_when_no_stepdown_p_value_is_at_the_floor():
    """Without a lag at the floor the gate is the stepdown test, even where Holm's DM p
    would be smaller."""
    losses, naive = _holm_fallback_family()
    del losses[1]
    stepdown = stepdown_p_values(losses, naive, reps=GATE_REPS)
    assert min(stepdown.values()) > 1.0 / (GATE_REPS + 1)
    holm = holm_adjust({lag: _one_sided_dm_p(loss, naive) for lag, loss in losses.items()})
    assert holm[3] < stepdown[3]
    assert gate_p_values(losses, naive) == stepdown
