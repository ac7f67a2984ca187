"""Display names of the leaderboard's models: one table for the CLI and the app (imports nothing,
so the app's first frame stays light)."""

MODEL_NAMES = {
    "lstm": "LSTM",
    "ridge_ar": "ridge AR",
    "persistence": "persistence",
    "seasonal_naive": "seasonal naive",
    "xgb_direction": "XGB direction",
    "rf_direction": "RF direction",
}


def counted(number: int, noun: str) -> str:
    """``1 seed``, ``3 seeds``: the count with its noun in the right number."""
    return f"{number} {noun}{'s' * (number != 1)}"
