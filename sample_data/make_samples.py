"""Regenerate the sample files from the packages that ship the data (run by hand).

    pip install pmdarima statsmodels && python sample_data/make_samples.py

Not needed to use seqlen-tui: the CSV files it writes are committed.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pmdarima.datasets as pm_data
import statsmodels.api as sm

HERE = Path(__file__).parent


def electricity_demand() -> None:
    """Taylor (2003): half-hourly demand in England and Wales, Mon 5 June – Sun 27 Aug 2000."""
    demand = pm_data.load_taylor()
    stamps = pd.date_range("2000-06-05 00:00", periods=len(demand), freq="30min")
    frame = pd.DataFrame({"timestamp": stamps.strftime("%Y-%m-%d %H:%M"), "demand_mw": demand.astype(int)})
    frame.to_csv(HERE / "uk_electricity_demand_halfhourly.csv", index=False)


def microsoft_daily() -> None:
    """Microsoft daily OHLCV as shipped by pmdarima (split-adjusted), from 2008 on."""
    frame = pm_data.load_msft().drop(columns="OpenInt")
    frame = frame[frame["Date"] >= "2008-01-01"]
    frame.to_csv(HERE / "MSFT.csv", index=False, float_format="%.4f")


def co2_weekly() -> None:
    """Mauna Loa weekly CO2 (statsmodels), semicolon-separated, other names, gaps kept blank."""
    co2 = sm.datasets.co2.load_pandas().data["co2"]
    frame = pd.DataFrame(
        {
            "station": "MLO",
            "week_ending_date": co2.index.strftime("%Y-%m-%d"),
            "co2_ppm": np.round(co2.to_numpy(), 1),
        }
    )
    frame.to_csv(HERE / "mauna_loa_co2_weekly.csv", index=False, sep=";", na_rep="")


if __name__ == "__main__":
    electricity_demand()
    microsoft_daily()
    co2_weekly()
