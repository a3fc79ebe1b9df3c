"""Command-line subcommands (placeholder until its issue lands)."""
from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add this module's subcommands to `python -m data_model`."""
