"""Loads the ranklens plugin for this repository (also registered as a pytest11 entry point)."""

pytest_plugins = ["ranklens.plugin"]
