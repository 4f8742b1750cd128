"""Errors a user can act on. Every face (CLI, GUI) shows their message as it is."""

from __future__ import annotations


class UserError(Exception):
    """A French sentence saying what is wrong and, where it helps, what to do."""


class NotFound(UserError):
    """A name, tag or number that Régie does not know."""


class Conflict(UserError):
    """The operation would contradict what is already recorded; nothing was changed."""
