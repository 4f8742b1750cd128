"""The command line's own words (usage, option headings, parse errors) in the user's language.

argparse writes them in English through the standard gettext domain, which no catalogue of
Régie's reaches: they are given here, in French, where argparse looks them up (its module's
``_`` and ``ngettext``). English is argparse's own text.
"""

from __future__ import annotations

import argparse
import gettext

from regie.i18n import language

# argparse's messages (Python 3.11 to 3.13) → French. A heading gets a trailing space: argparse
# glues its colon on, and French sets it apart (« options : »).
FRENCH = {
    "usage: ": "utilisation : ",
    "positional arguments": "arguments ",
    "options": "options ",
    "show this help message and exit": "afficher ce message d'aide et quitter",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "choix invalide : %(value)r (possibles : %(choices)s)"
    ),
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "unrecognized arguments: %s": "arguments inconnus : %s",
    "expected one argument": "une valeur attendue",
    "expected at least one argument": "au moins une valeur attendue",
    "expected at most one argument": "au plus une valeur attendue",
    "invalid %(type)s value: %(value)r": "valeur %(type)s invalide : %(value)r",
    "ambiguous option: %(option)s could match %(matches)s": (
        "option ambiguë : %(option)s peut désigner %(matches)s"
    ),
    "not allowed with argument %s": "impossible avec l'argument %s",
    "one of the arguments %s is required": "l'un des arguments %s est obligatoire",
    "ignored explicit argument %r": "valeur %r ignorée",
    "can't open '%(filename)s': %(error)s": "impossible d'ouvrir « %(filename)s » : %(error)s",
}
FRENCH_PLURALS = {
    ("expected %s argument", "expected %s arguments"): (
        "%s valeur attendue",
        "%s valeurs attendues",
    ),
}
VERSION_HELP = {"fr": "afficher le numéro de version et quitter"}


def _french(message: str) -> str:
    return FRENCH.get(message, message)


def _french_plural(singular: str, plural: str, n: int) -> str:
    forms = FRENCH_PLURALS.get((singular, plural))
    if forms is None:
        return singular if n == 1 else plural
    return forms[0] if n in (0, 1) else forms[1]


def speak(module: object = argparse) -> None:
    """Have argparse speak the current language (call before building a parser)."""
    french = language() == "fr"
    module._ = _french if french else gettext.gettext  # type: ignore[attr-defined]
    module.ngettext = _french_plural if french else gettext.ngettext  # type: ignore[attr-defined]


def version_help() -> str:
    """The help of ``--version`` (argparse leaves it in English, untranslatable)."""
    return VERSION_HELP.get(language(), "show program's version number and exit")
