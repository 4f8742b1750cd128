"""Records of the project are built with their field names, not with long positional calls.

``Mismatch("fee_unbooked:txn_1", "fee_unbooked", "txn_1", 190, 0, "", "…", 0)`` cannot be
read without the class beside it, and a field added in the middle shifts every value
silently. An AST scan over ``regie/`` finds the calls of a project dataclass or NamedTuple
with four positional arguments or more.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import regie

ROOT = Path(regie.__file__).parent

LONGEST = 3  # positional arguments a record call may take

# The ledger's legs and sale lines: a festival's import builds a million of them, a keyword
# call costs twice the time of a positional one, and the ledger reads them by unpacking in
# the accounting order (debit, credit, asset, amount).
HOT_TUPLES = {"Leg", "SaleLine"}

# Calls left in files other work was changing when this check came (people's audit, cards,
# screens), by record: the counts may only go down.
STILL_POSITIONAL = Counter(
    {
        "Line": 29,  # people/changes.py, people/audit.py: the audit trail's lines
        "Section": 8,  # ui/pages.py
        "Kind": 5,  # ui/inventory/reference_screen.py
        "LineError": 5,  # cards/batches.py
        "FactoryLine": 3,  # cards/batches.py, cards/demo.py
        "Outcome": 3,  # ui/ledger/desk_dialogs.py, refund_dialog.py
        "LineInput": 2,  # ui/settlement/invoice_lines.py
        "LineProblem": 2,  # ledger/journal_import.py
        "RefundRow": 2,  # ui/settlement/refunds_screen.py
        "StaffCheck": 2,  # cards/staff.py
        "TrailFilter": 2,  # people/commands.py, ui/people/trail_screen.py
        "BatchSummary": 1,
        "BlockedCard": 1,
        "HistoryLine": 1,
        "ImportResult": 1,
        "Inputs": 1,
        "MissingCard": 1,
        "Preview": 1,
        "Reading": 1,
        "Replacement": 1,
        "ReturnReport": 1,
        "ReturnTap": 1,
        "StaffInfo": 1,
        "StateChange": 1,
        "TrailLine": 1,
        "_Plan": 1,
    }
)


def is_record(node: ast.ClassDef) -> bool:
    """A dataclass (``@dataclass`` or ``@dataclass(...)``) or a ``NamedTuple``."""
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Name | ast.Attribute) and _name(target) == "dataclass":
            return True
    return any(_name(base) == "NamedTuple" for base in node.bases)


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def long_positional_calls(sources: dict[str, str]) -> list[tuple[str, int, str]]:
    """(file, line, record) of every record call with more than LONGEST positional arguments."""
    trees = {path: ast.parse(text, path) for path, text in sources.items()}
    records = {
        node.name
        for tree in trees.values()
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and is_record(node)
    }
    found = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and len(node.args) > LONGEST:
                name = _name(node.func)
                if name in records and name not in HOT_TUPLES:
                    found.append((path, node.lineno, name))
    return sorted(found)


def project_sources() -> dict[str, str]:
    return {
        str(path.relative_to(ROOT.parent)): path.read_text(encoding="utf-8")
        for path in ROOT.rglob("*.py")
        if "versions" not in path.parts  # Alembic migrations: frozen history
    }


def test_no_project_record_is_built_with_four_positional_arguments_or_more() -> None:
    calls = long_positional_calls(project_sources())
    per_record = Counter(name for _path, _line, name in calls)
    grown = {name for name, count in per_record.items() if count > STILL_POSITIONAL[name]}
    assert not grown, "name the fields (Record(field=value, …)):\n" + "\n".join(
        f"{path}:{line}: {name}" for path, line, name in calls if name in grown
    )


def test_the_scan_finds_a_long_positional_call_and_passes_keyword_calls() -> None:
    source = (
        "from dataclasses import dataclass\n"
        "from typing import NamedTuple\n"
        "@dataclass(frozen=True)\n"
        "class Gap:\n"
        "    key: str\n    kind: str\n    stripe: int\n    ledger: int\n"
        "class Point(NamedTuple):\n"
        "    x: int\n    y: int\n    z: int\n    t: int\n"
        "Gap('k', 'fee', 190, 0)\n"
        "Gap(key='k', kind='fee', stripe=190, ledger=0)\n"
        "Gap('k', 'fee', 190, ledger=0)\n"
        "Point(1, 2, 3, 4)\n"
        "print(1, 2, 3, 4)\n"
    )
    assert long_positional_calls({"gap.py": source}) == [
        ("gap.py", 14, "Gap"),
        ("gap.py", 17, "Point"),
    ]
