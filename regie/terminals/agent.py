"""``regie-agent``: the terminal side of the link protocol (filled in by the terminals work)."""

from __future__ import annotations

import sys


def main() -> int:
    print("regie-agent : pas encore disponible", file=sys.stderr)
    return 2
