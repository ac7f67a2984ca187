"""The Textual app: it renders what the core computes and never computes anything itself.

Nothing here is imported by the core, and nothing here imports pandas, statsmodels or
TensorFlow at import time, so the first frame appears at once; heavy work runs in workers.
"""
