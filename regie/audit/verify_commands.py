"""``regie verify``: one command over everything that must not change (the journal, the Z
and their signatures, the audit trail, the people, the invoices, the sales summary)."""

from __future__ import annotations

import argparse

from regie.commands import SubCommands, open_database
from regie.i18n import _, format_number


def register(commands: SubCommands, common: argparse.ArgumentParser) -> None:
    p = commands.add_parser(
        "verify",
        parents=[common],
        help=_("vérifie toute la base : journal, Z signés, audit, personnes, factures"),
    )
    p.set_defaults(func=cmd_verify, needs=None)  # a reading: anyone may check the seal


def cmd_verify(args: argparse.Namespace) -> int:
    from regie.audit.seal_verify import verify_base

    db = open_database(args)
    with db.session() as session:
        report = verify_base(session)
    for problem in report.problems:
        print(_("ERREUR : {problem}").format(problem=problem))
    if report.ok:
        print(
            _(
                "Base intègre : {transfers} transferts, {closures} Z et {sealed} "
                "enregistrements scellés vérifiés."
            ).format(
                transfers=format_number(report.ledger.transfers),
                closures=format_number(report.ledger.closures),
                sealed=format_number(report.sealed),
            )
        )
        return 0
    print(
        _(
            "Base ALTÉRÉE : le premier enregistrement rompu est nommé en tête. "
            "Voyez le guide, « Quand regie verify échoue »."
        )
    )
    return 1
