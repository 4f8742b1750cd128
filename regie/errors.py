"""Errors a user can act on. Every face (CLI, GUI) shows their message as it is."""

from __future__ import annotations


class UserError(Exception):
    """A French sentence saying what is wrong and, where it helps, what to do.

    The way to act differs between the faces, so such a message is said two ways:
    ``str(error)`` is the window's wording (the menu or button to use), ``command`` the
    command line's (the command or option to type), which the CLI prints
    (:meth:`on_command_line`). Without ``command`` both faces say the same sentence.
    """

    command: str | None = None

    def __init__(self, *args: object, command: str | None = None) -> None:
        super().__init__(*args)
        self.command = command

    def on_command_line(self) -> str:
        """What the command line prints: its own wording, else the one sentence."""
        return self.command if self.command is not None else str(self)


class NotFound(UserError):
    """A name, tag or number that Régie does not know."""


class Conflict(UserError):
    """The operation would contradict what is already recorded; nothing was changed."""


def unreadable(path: object, error: OSError) -> UserError:
    """« FILE : illisible (fichier introuvable) »: the file named, the reason in words."""
    from regie.i18n import _

    return UserError(_("{path} : illisible ({reason})").format(path=path, reason=why(error)))


def why(error: OSError) -> str:
    """What went wrong with a file, in the user's language (the system says it in English)."""
    from regie.i18n import _

    if isinstance(error, FileNotFoundError):
        return _("fichier introuvable")
    if isinstance(error, PermissionError):
        return _("accès refusé")
    if isinstance(error, IsADirectoryError):
        return _("c'est un dossier, pas un fichier")
    return error.strerror or str(error)
