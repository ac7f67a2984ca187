"""Screens: one per step of the workflow, so each stays small and testable on its own."""
