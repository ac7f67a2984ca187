"""seqlen-tui: choose the input sequence length (lookback) of an LSTM for one series.

The package root stays import-light on purpose: ``seqlen-tui --help`` and the app's first
frame must not pay for pandas, statsmodels or TensorFlow.  Import what you need from
``seqlen_tui.core`` submodules directly.
"""

__version__ = "0.1.0"
