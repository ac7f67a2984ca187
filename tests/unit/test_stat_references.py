"""The project's own statistics against the reference implementations they claim to equal.

Why own code at all: ``acf.py`` derives the PACF from the ACF it already computed (one
Levinson–Durbin pass, no second FFT), and ``holm_adjust`` takes a dict keyed by lag with NaN
counted as 1. Both claim statsmodels' numbers; these tests hold them to it, to rounding.
"""

from __future__ import annotations

import ast
import gc
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.tsa.stattools import pacf as statsmodels_pacf

from seqlen_tui.core.acf import _pacf, acf_with_confint, analyze_transform, pacf_cutoff
from seqlen_tui.core.metrics import holm_adjust
from synthetic import ar_process, white_noise

# --------------------------------------------------------------------------- PACF

SERIES = {
    "ar1": lambda: ar_process((0.7,), 1500, seed=11),
    "ar2": lambda: ar_process((0.5, 0.3), 1500, seed=12),
    "white_noise": lambda: white_noise(1500, seed=13),
    "short_ar2": lambda: ar_process((0.9, -0.5), 61, seed=14),
}


@pytest.mark.parametrize("name", sorted(SERIES))
@pytest.mark.parametrize("method", ["ldb", "ywm"])
def test_pacf_equals_statsmodels(name, method):
    """Levinson–Durbin on the biased ACF is statsmodels' ``ldb``, and (the same equations
    solved another way) Yule–Walker with the MLE autocovariance, ``ywm``."""
    x = SERIES[name]()
    nlags = 30 if len(x) > 100 else 20
    acf_vals, _ = acf_with_confint(x, nlags, 0.05)
    ours, band = _pacf(acf_vals, len(x), 0.05, nlags)
    reference = statsmodels_pacf(x, nlags=nlags, method=method)
    assert ours.shape == (nlags,)
    np.testing.assert_allclose(ours, reference[1:], rtol=0, atol=1e-8)
    assert band == pytest.approx(1.959963984540054 / np.sqrt(len(x)), rel=1e-12)


@pytest.mark.parametrize("name", sorted(SERIES))
def test_analysis_pacf_equals_statsmodels(name):
    """The PACF the analysis reports (and the cutoff is read from) is statsmodels' too."""
    x = SERIES[name]()
    result = analyze_transform(x, "raw", max_lag=20)
    reference = statsmodels_pacf(x, nlags=len(result.pacf), method="ldb")
    np.testing.assert_allclose(result.pacf, reference[1:], rtol=0, atol=1e-8)


@pytest.mark.parametrize(("name", "cutoff"), [("ar1", 1), ("ar2", 2), ("white_noise", 0)])
def test_pacf_cutoff_from_statsmodels_values_is_the_ar_order(name, cutoff):
    """On statsmodels' own PACF values and band the cutoff is the process's order, and the
    analysis reports the same."""
    x = SERIES[name]()
    reference = statsmodels_pacf(x, nlags=30, method="ldb")[1:]
    band = 1.959963984540054 / np.sqrt(len(x))
    assert pacf_cutoff(reference, band) == cutoff
    assert analyze_transform(x, "raw", max_lag=30).pacf_cutoff == cutoff


# --------------------------------------------------------------------------- Holm


def _random_families(rng: np.random.Generator, count: int):
    """Families of 1–12 p-values: uniform, many tiny, some exactly tied or at 1, some
    large enough that Holm's factor clips at 1."""
    for _ in range(count):
        size = int(rng.integers(1, 13))
        kind = rng.integers(0, 4)
        if kind == 0:
            p = rng.random(size)
        elif kind == 1:
            p = rng.random(size) ** 4  # mostly small: the step-down runs deep
        elif kind == 2:
            p = np.round(rng.random(size), 1)  # ties and exact 0 / 1
        else:
            p = np.minimum(1.0, rng.random(size) * 0.2)
        lags = rng.permutation(np.arange(1, 200))[:size]  # keys in no particular order
        yield {int(lag): float(value) for lag, value in zip(lags, p)}


def test_holm_adjust_equals_statsmodels_multipletests(monkeypatch):
    # statsmodels' Holm branch calls gc.collect() on every call: 60 ms each in a pytest
    # process, 30 s for this loop. Collecting garbage changes no p-value, so skip it here.
    monkeypatch.setattr(gc, "collect", lambda *args: 0)
    rng = np.random.default_rng(2026)
    for family in _random_families(rng, 500):
        lags = list(family)
        reference = multipletests([family[lag] for lag in lags], method="holm")[1]
        ours = holm_adjust(family)
        assert list(ours) != [] and set(ours) == set(lags)
        # Bit for bit: the same products, running maximum and cap as statsmodels.
        np.testing.assert_array_equal([ours[lag] for lag in lags], reference)


def test_holm_adjust_counts_nan_as_one_like_statsmodels_on_ones():
    family = {3: 0.01, 5: float("nan"), 8: 0.02, 13: 0.2}
    reference = multipletests([0.01, 1.0, 0.02, 0.2], method="holm")[1]
    np.testing.assert_array_equal([holm_adjust(family)[lag] for lag in (3, 5, 8, 13)], reference)


# --------------------------------------------------------------------------- the dependency


def _package_names(requirements: list[str]) -> set[str]:
    """The package names of requirement strings: ``"statsmodels>=0.14.2"`` → statsmodels."""
    return {re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0] for requirement in requirements}


def test_statsmodels_is_a_reference_for_the_tests_not_a_dependency():
    """The package reimplements what it uses of statsmodels (and these tests hold it to the
    same numbers), so statsmodels is in the test and bench extras, not in the install: no
    module of the package imports it, lazily or not."""
    root = Path(__file__).resolve().parents[2]
    importers = []
    for path in sorted((root / "seqlen_tui").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(name.split(".")[0] == "statsmodels" for name in names):
                importers.append(path.relative_to(root).as_posix())
    assert importers == []
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "statsmodels" not in _package_names(project["dependencies"])
    assert "statsmodels" in _package_names(project["optional-dependencies"]["test"])
    assert "statsmodels" in _package_names(project["optional-dependencies"]["bench"])
