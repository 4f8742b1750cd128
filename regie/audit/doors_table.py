"""The table of docs/roles.md: each command and who may run it, drawn from the commands' own
declarations (``set_defaults(needs=…)``), so the page cannot drift from the code
(``tests/test_doors.py`` compares them)."""

from __future__ import annotations

from collections.abc import Iterable

from regie.commands import Door, Needs
from regie.people.roles import ROLE_LABELS, Permission, roles_allowed

HEADER = "| Commande | Il faut être | Permission | Précision |\n|---|---|---|---|\n"
FREE = "personne"


def least_role(permission: Permission) -> str:
    """The lowest role that may (roles are nested: a manager may what an operator may)."""
    return str(ROLE_LABELS[roles_allowed(permission)[0]])


def row(door: Door) -> str:
    needs, note = door.needs, door.note
    if needs is None:
        return f"| `{door.command}` | {FREE} | — | {note or 'lecture'} |"
    permission = needs.strictest if isinstance(needs, Needs) else needs
    if isinstance(needs, Needs):
        note = needs.text
    return f"| `{door.command}` | {least_role(permission)} | `{permission}` | {note} |"


def doors_table(doors: Iterable[Door]) -> str:
    """The Markdown table, in French like the page (the texts as declared, untranslated)."""
    return HEADER + "".join(row(door) + "\n" for door in doors)
