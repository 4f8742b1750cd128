"""Régie : la régie générale d'un festival cashless."""

from regie.version import __version__

__all__ = ["__version__"]
