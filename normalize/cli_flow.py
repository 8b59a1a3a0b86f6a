"""Subcommands for batch runs (Prefect) and re-translation (argostranslate): added later."""
from __future__ import annotations


def add_commands(sub) -> None:
    return None
