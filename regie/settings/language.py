"""The language Régie starts in: ``--lang`` first, then ``REGIE_LANG``, then the one saved in
the settings, then French. Set before any text is built (the CLI's parser, the windows)."""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Sequence

from regie.i18n import DEFAULT_LANGUAGE, LANGUAGE_ENV, LANGUAGES, _, set_language
from regie.settings.laptop import LaptopSettings

log = logging.getLogger(__name__)


def startup_language(asked: str | None, saved: LaptopSettings | None = None) -> str:
    if asked in LANGUAGES:
        return asked
    from_env = os.environ.get(LANGUAGE_ENV, "").strip().lower()
    if from_env in LANGUAGES:
        return from_env
    if from_env:
        log.warning("%s=%s: unknown language, ignored", LANGUAGE_ENV, from_env)
    settings = saved if saved is not None else LaptopSettings.load()
    code = settings.text("language")
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def apply_startup_language(asked: str | None, saved: LaptopSettings | None = None) -> str:
    """Choose the language and make every text from now on use it; returns its code."""
    code = startup_language(asked, saved)
    set_language(code)
    return code


def language_option(parser: argparse.ArgumentParser) -> None:
    """``--lang fr|en`` as ``regie --help`` shows it (read earlier by :func:`split_language`)."""
    parser.add_argument(
        "--lang",
        choices=list(LANGUAGES),
        default=argparse.SUPPRESS,
        help=_("langue des textes : fr (par défaut) ou en ; sinon REGIE_LANG, sinon le réglage"),
    )


def split_language(argv: Sequence[str]) -> tuple[str | None, list[str]]:
    """``--lang`` wherever it stands, and the other arguments: the language must be set
    before the parser is built, since its help texts are translated when built."""
    early = argparse.ArgumentParser(prog="regie", add_help=False, allow_abbrev=False)
    early.add_argument("--lang", choices=list(LANGUAGES))
    known, rest = early.parse_known_args(list(argv))
    return known.lang, rest
