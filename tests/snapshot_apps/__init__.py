"""Deterministic stores and apps for the Pilot, snapshot and benchmark runs."""
