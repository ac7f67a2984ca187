"""Display names of the leaderboard's models: one table for the CLI and the app (imports nothing,
so the app's first frame stays light)."""

#: The default LSTM's leaderboard name when it scouts for a declared network (core/model_stage.py).
SCOUT = "scout"

MODEL_NAMES = {
    "lstm": "LSTM",
    SCOUT: "LSTM scout",
    "ridge_ar": "ridge AR",
    "persistence": "persistence",
    "seasonal_naive": "seasonal naive",
    "xgb_direction": "XGB direction",
    "rf_direction": "RF direction",
}


def counted(number: int, noun: str) -> str:
    """``1 seed``, ``3 seeds``: the count with its noun in the right number."""
    return f"{number} {noun}{'s' * (number != 1)}"


# ----- asset names as file names ----------------------------------------------------------------
#
# An asset name is the user's word (``BTC-USD``, ``日本株``, or whatever ``--asset`` was given) and a
# report keeps it as given; but a report's *file* name is made from it, and a name holding ``/``
# or ``..`` would put the report outside the runs folder (where ``runs`` never finds it), and one
# over 255 bytes would fail after the whole training. So the file name gets a safe stem, and a
# name that cannot work at all is refused before anything runs.

#: Longest asset name accepted: it is also the settings key ``<ASSET>_SL`` in the user's code.
MAX_ASSET_CHARS = 200
#: A report stem's bounds: characters for the eye, bytes for the file system (255 per name,
#: minus the ``_<UTC time>-NN.json`` that follows the stem).
MAX_STEM_CHARS = 100
MAX_STEM_BYTES = 200
#: What file systems refuse or misread in a name (Windows' list covers POSIX's ``/``).
_REFUSED_IN_NAMES = set('/\\<>:"|?*')


def _unsafe(char: str) -> bool:
    import unicodedata

    return char in _REFUSED_IN_NAMES or unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp")


def report_stem(asset: str) -> str:
    """The asset's part of a report file name: one name in one folder, whatever the asset.

    Separators, control characters and what Windows refuses become ``_``; leading dots (a
    hidden file ``runs`` would not list) and ``..`` go; letters of every script stay. A stem
    over :data:`MAX_STEM_CHARS` characters or :data:`MAX_STEM_BYTES` bytes is cut and ends
    with 8 hex digits of the whole name's hash, so two long names that share a beginning
    still get different stems.
    """
    import hashlib
    import re
    import unicodedata

    text = unicodedata.normalize("NFC", str(asset))
    stem = re.sub(r"_+", "_", "".join("_" if _unsafe(char) else char for char in text)).strip("._ ")
    if len(stem) > MAX_STEM_CHARS or len(stem.encode("utf-8", "surrogatepass")) > MAX_STEM_BYTES:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        keep = stem[:MAX_STEM_CHARS - len(digest) - 1]
        while len(keep.encode("utf-8")) > MAX_STEM_BYTES - len(digest) - 1:
            keep = keep[:-1]
        stem = f"{keep.rstrip('._ ')}-{digest}"
    return stem or "asset"


def check_asset(asset: str) -> str:
    """``asset`` if a run can use it as its name; else an ``OptionError`` on «asset» saying why
    and what to give. Called where options are checked, before any data is loaded or any model
    trains (before this, a bad name failed only when the report or the key was written)."""
    from .options import OptionError

    example = "such as BTC-USD"
    if not str(asset).strip():
        raise OptionError("asset", f"«asset» is empty; give a name {example}, or leave «asset» out to use "
                                   "the file's name")
    bad = next((i for i, char in enumerate(asset) if _unsafe(char) and char not in _REFUSED_IN_NAMES), None)
    if bad is not None:
        raise OptionError("asset", f"«asset» holds a control character ({asset[bad]!r} at position {bad + 1}); "
                                   f"give a name on one line, {example}")
    if len(asset) > MAX_ASSET_CHARS:
        raise OptionError("asset", f"«asset» is {len(asset)} characters long; give a name of at most "
                                   f"{MAX_ASSET_CHARS}, {example} (it becomes the settings key <ASSET>_SL)")
    from .settings import settings_key

    settings_key(asset)  # a name with no letter or digit for the key: its own clear message
    return asset
