"""``regie backup`` and ``regie restore``: the headless face of the backups."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from regie.commands import SubCommands, database_url
from regie.i18n import _, format_number, ngettext


def register(commands: SubCommands, common: argparse.ArgumentParser) -> None:
    p = commands.add_parser(
        "backup", parents=[common], help=_("sauvegarde la base SQLite (dossier des sauvegardes)")
    )
    p.add_argument(
        "--out", type=Path, metavar=_("FICHIER"), help=_("écrit la sauvegarde dans FICHIER")
    )
    p.add_argument("--folder", type=Path, metavar=_("DOSSIER"), help=_("dossier des sauvegardes"))
    p.add_argument("--keep", type=int, metavar="N", help=_("nombre de sauvegardes gardées"))
    p.set_defaults(func=cmd_backup)

    p = commands.add_parser(
        "restore", parents=[common], help=_("vérifie une sauvegarde puis remplace la base par elle")
    )
    p.add_argument("file", type=Path, metavar=_("FICHIER"))
    p.add_argument("--yes", action="store_true", help=_("sans demander de confirmation"))
    p.add_argument(
        "--force",
        action="store_true",
        help=_(
            "restaure même une sauvegarde qui ne se vérifie pas ou d'une autre organisation "
            "(inscrit au journal d'audit)"
        ),
    )
    p.add_argument("--folder", type=Path, metavar=_("DOSSIER"), help=_("dossier des sauvegardes"))
    p.set_defaults(func=cmd_restore)


def cmd_backup(args: argparse.Namespace) -> int:
    from regie.backups.copies import back_up
    from regie.backups.settings import backup_settings

    settings = backup_settings()
    folder = args.folder or settings.folder
    keep = args.keep if args.keep is not None else settings.keep
    backup = back_up(database_url(args), folder, keep=keep, out=args.out)
    print(
        _("Sauvegarde écrite : {path} ({size} Ko).").format(
            path=backup.path, size=format_number(max(1, backup.size // 1024))
        )
    )
    if args.out is None:
        kept = ngettext(
            "Seule la plus récente est gardée dans {folder} (rotation : {keep}).",
            "Les {keep} plus récentes sont gardées dans {folder}.",
            keep,
        )
        print(kept.format(keep=keep, folder=folder))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from regie.backups.restore import apply_restore, prepare_restore
    from regie.backups.settings import backup_settings

    settings = backup_settings()
    url = database_url(args)
    plan = prepare_restore(url, args.file, force=args.force)
    try:
        for line in plan.contents.lines():
            print(line)
        if not args.yes and not _confirmed(plan.target):
            print(_("Restauration annulée : rien n'a changé."))
            return 1
        safety = apply_restore(plan, url, args.folder or settings.folder, keep=settings.keep)
    finally:
        plan.discard()
    print(_("Base restaurée : {path}.").format(path=plan.target))
    if plan.forced:
        from regie.audit.seal_verify import record_forced_restore

        record_forced_restore(url, args.file, plan.forced)
        for problem in plan.forced:
            print(
                _("Restaurée malgré : {problem} (inscrit au journal d'audit).").format(
                    problem=problem
                )
            )
    if safety is not None:
        print(
            _(
                "La base remplacée est sauvegardée dans {path} (regie restore pour y revenir)."
            ).format(path=safety.path)
        )
    return 0


def _confirmed(target: Path) -> bool:
    print(
        _("Remplacer la base {path} par cette sauvegarde ? [o/N] ").format(path=target),
        end="",
        flush=True,
    )
    answer = sys.stdin.readline().strip().casefold()
    return answer in ("o", "oui", "y", "yes")
