"""``regie backup`` and ``regie restore``: the headless face of the backups."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from regie.commands import (
    PIN_ENV,
    Permission,
    SubCommands,
    ask_pin,
    database_url,
    open_database,
    person_may,
)
from regie.i18n import N_, _, format_number, ngettext


def register(commands: SubCommands, common: argparse.ArgumentParser) -> None:
    p = commands.add_parser(
        "backup", parents=[common], help=_("sauvegarde la base SQLite (dossier des sauvegardes)")
    )
    p.add_argument(
        "--out", type=Path, metavar=_("FICHIER"), help=_("écrit la sauvegarde dans FICHIER")
    )
    p.add_argument("--folder", type=Path, metavar=_("DOSSIER"), help=_("dossier des sauvegardes"))
    p.add_argument("--keep", type=int, metavar="N", help=_("nombre de sauvegardes gardées"))
    p.set_defaults(
        func=cmd_backup,
        needs=Permission.OPERATE,
        door=backup_door,
        needs_note=N_("une copie de toute la base, empreintes des codes PIN comprises"),
    )

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
    p.set_defaults(
        func=cmd_restore,
        needs=Permission.RESTORE,
        door=restore_door,
        needs_note=N_(
            "base illisible : un administrateur de la sauvegarde (secours, noté) ; "
            "pas de base : personne"
        ),
    )


def backup_door(args: argparse.Namespace, permission: Permission) -> None:
    """A server's base is not Régie's to copy: say so before asking who is there."""
    from regie.backups.copies import database_file

    database_file(database_url(args))
    person_may(args, permission)


def restore_door(args: argparse.Namespace, permission: Permission) -> None:
    """An administrator of the base being replaced; for a base that cannot be read, the
    backup's own administrator, checked once the backup is (see :mod:`regie.backups.rights`)."""
    from regie.backups.rights import Replaced, replaced_base, require_restore

    state = replaced_base(database_url(args))
    args.rescue = state is Replaced.BROKEN
    if state is Replaced.READABLE:
        db = open_database(args)  # signs --user in
        try:
            require_restore(db)
        finally:
            db.dispose()


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
    from regie.backups.rights import record_restore, rescue_admin
    from regie.people.actor import audit_actor

    plan = prepare_restore(url, args.file, force=args.force)
    try:
        rescue = bool(getattr(args, "rescue", False))
        if rescue:
            user = getattr(args, "user", None)
            pin = ask_pin(_("Code PIN de {name} : ").format(name=user), PIN_ENV) if user else ""
            actor = rescue_admin(plan, user, pin)
        else:
            actor = audit_actor()
        for line in plan.contents.lines():
            print(line)
        if not args.yes and not _confirmed(plan.target):
            print(_("Restauration annulée : rien n'a changé."))
            return 1
        safety = apply_restore(
            plan, url, args.folder or settings.folder, keep=settings.keep, broken=rescue
        )
    finally:
        plan.discard()
    record_restore(url, plan, actor, rescue=rescue)
    print(_("Base restaurée : {path}.").format(path=plan.target))
    if rescue:
        print(
            _(
                "La base illisible a été mise de côté à côté d'elle (…illisible-DATE) ; le "
                "secours est noté dans le journal d'audit et le fichier de log."
            )
        )
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
