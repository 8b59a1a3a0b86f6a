"""Subcommands beyond `normalize`: glossary tools, batch flows, re-translation and models.

Each command imports what it needs when it runs, so `mtnorm normalize` stays light.
"""
from __future__ import annotations


def add_commands(sub) -> None:
    """Register the other subcommands on the `mtnorm` parser."""
    return None
