"""``regie …``: the headless face of the settlement operations."""

from __future__ import annotations

import argparse

from regie.commands import SubCommands


def register(commands: SubCommands, common: argparse.ArgumentParser) -> None:
    """Add this domain's sub-commands to ``regie``."""
