"""Reusable widgets; each draws data it is given and owns no long-running work."""
