"""Prefect flows: thin wrappers around the normalize library (nothing in normalize/ imports prefect)."""
