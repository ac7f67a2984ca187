"""Pure analysis: data loading, ACF analysis, candidates, settings store.

Nothing here imports Textual; every long step reports through ``core.events`` and honours
one cancellation signal, so the CLI, the app, batch runs and tests drive it the same way.
Submodules are imported explicitly (no eager re-exports) to keep start-up instant.
"""
