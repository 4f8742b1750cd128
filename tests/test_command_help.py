"""Every command's help renders, in French and in English: ``regie … --help`` is the first thing
a new office user types, and a traceback there (a bare « % » in a help text, which argparse
reads as a format) tells them the tool is broken. The list of commands is read from the parser
itself, so a command added tomorrow is walked too."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from regie import i18n
from regie.cli import build_parser
from regie.cli_words import speak


def every_parser(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ("regie",)
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """``regie``, ``regie terminals``, ``regie terminals menu``… down to the last level."""
    yield " ".join(path), parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from every_parser(child, (*path, name))


def helps_that_fail(language: str) -> tuple[int, list[str]]:
    i18n.set_language(language)
    speak()
    try:
        walked, failed = 0, []
        for command, parser in every_parser(build_parser()):
            walked += 1
            try:
                text = parser.format_help()
            except Exception as error:  # the traceback a user would see
                failed.append(f"{command} --help: {type(error).__name__}: {error}")
                continue
            if not text.strip():
                failed.append(f"{command} --help: empty")
        return walked, failed
    finally:
        i18n.set_language("fr")
        speak()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_command_help_renders(language: str) -> None:
    walked, failed = helps_that_fail(language)
    assert walked > 100, walked  # the walk reached the sub-commands, not only `regie`
    assert not failed, "\n".join(failed)


def test_a_bare_percent_in_a_help_is_caught() -> None:
    """The walk itself can fail: a help with « TVA en % » breaks argparse's formatting."""
    parser = argparse.ArgumentParser(prog="regie")
    parser.add_subparsers().add_parser("menu", help="TVA en %)")
    failed = [name for name, p in every_parser(parser) if _fails(p)]
    assert failed == ["regie"]


def _fails(parser: argparse.ArgumentParser) -> bool:
    try:
        parser.format_help()
    except ValueError:
        return True
    return False
