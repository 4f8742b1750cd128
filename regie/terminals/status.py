"""Ask whatever terminal is at the end of a port what it is and what it runs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from regie.db import Database
from regie.i18n import _, local_time, ngettext
from regie.terminals.diff import plural
from regie.terminals.link import Hello, TerminalLink
from regie.terminals.models import Terminal
from regie.terminals.registry import note_hello, record_event


@dataclass(frozen=True)
class TerminalStatus:
    port: str
    hello: Hello
    details: dict[str, Any]
    registered: bool  # a terminal of Régie's registry (its record was updated)

    def lines(self) -> list[str]:
        """The status as a user reads it."""
        d, h = self.details, self.hello
        config = _("aucune configuration reçue")
        if h.config_version is not None:
            config = f"configuration v{h.config_version} ({h.config_hash[:12]}…)"
            committed = (d.get("config") or {}).get("committed_at")
            if committed:
                config += _(", en service depuis le {committed}").format(
                    committed=_local(committed)
                )
        name = h.terminal or "(sans nom)"
        if not self.registered and h.terminal:
            name += _(" — inconnu du registre de Régie")
        pending = h.journal_last - h.journal_acked
        lines = [
            f"Terminal : {name}",
            f"Port : {self.port}",
            f"Agent : {h.agent} (protocole {h.protocol})",
            f"Configuration : {config}",
        ]
        if d.get("pos"):
            lines.append(
                _("Point de vente : {pos} — {products}, {staff}, {blocked}").format(
                    pos=d["pos"],
                    products=plural(d.get("products", 0), "produit"),
                    staff=plural(d.get("staff", 0), "carte staff"),
                    blocked=plural(d.get("blocked", 0), "carte bloquée"),
                )
            )
        lines.append(
            _("Journal : {operations}, {pending}").format(
                operations=ngettext("{n} opération", "{n} opérations", h.journal_last).format(
                    n=h.journal_last
                ),
                pending=ngettext(
                    "{n} pas encore relevée par Régie", "{n} pas encore relevées par Régie", pending
                ).format(n=pending),
            )
        )
        staged = d.get("staged")
        if staged:
            lines.append(
                _(
                    "Envoi interrompu en attente : {have} o sur {size} (le "
                    "prochain envoi reprend là)"
                ).format(have=staged["have"], size=staged["size"])
            )
        if h.serial:
            lines.append(_("Numéro de série : {serial}").format(serial=h.serial))
        lines.append(
            _("Appairage : clé {key} (ses journaux sont signés)").format(key=h.paired)
            if h.paired
            else _("Appairage : aucun (le prochain envoi de configuration l'appaire)")
        )
        return lines


def _local(moment: str) -> str:
    """The terminal's ISO UTC time as the office reads it: 21/11/2026 à 20:48."""
    try:
        parsed = dt.datetime.fromisoformat(moment)
    except ValueError:
        return moment
    return local_time(parsed).strftime("%d/%m/%Y à %H:%M")


def terminal_status(db: Database, port: str, *, timeout: float = 3.0) -> TerminalStatus:
    with TerminalLink(port, timeout=timeout) as link:
        hello = link.greet()
        details = link.status()
    registered = False
    if hello.terminal:
        with db.session() as session:
            terminal = session.scalar(select(Terminal).where(Terminal.name == hello.terminal))
            if terminal is not None:
                registered = True
                note_hello(session, terminal, hello, port)
                record_event(session, terminal, "status", True, port, _("état lu"))
    return TerminalStatus(port=port, hello=hello, details=details, registered=registered)
