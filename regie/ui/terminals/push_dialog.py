"""Before a push: what changes on each terminal (the diff), and the go-ahead."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from regie.i18n import _, ngettext
from regie.terminals.push import PushPlan
from regie.terminals.sizes import size_text


def plan_title(plan: PushPlan) -> str:
    """The change first (the port's path can be long): it is what the user checks."""
    name, port = plan.job.terminal, plan.job.port
    if plan.bundle is None:
        return _("{terminal} : impossible — {problem}").format(terminal=name, problem=plan.problem)
    if plan.up_to_date:
        return _("{terminal} : déjà en v{version}, rien à envoyer — {port}").format(
            terminal=name, version=plan.bundle.version, port=port
        )
    running = f"v{plan.running}" if plan.running else _("aucune configuration")
    return _("{terminal} : {running} → v{version} ({size}) — {port}").format(
        terminal=name,
        running=running,
        version=plan.bundle.version,
        size=size_text(len(plan.bundle.body)),
        port=port,
    )


class PushDialog(QDialog):
    """Lists every terminal's changes; Send pushes those that have a bundle."""

    def __init__(self, plans: list[PushPlan], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pushDialog")
        self.setWindowTitle(_("Envoyer la configuration"))
        self.resize(720, 460)
        self.plans = plans
        ready = [p for p in plans if p.bundle is not None]
        intro = QLabel(
            ngettext(
                "{n} terminal recevra sa configuration. Il la vérifie (empreinte SHA-256) puis "
                "bascule d'un coup ; si le câble lâche, il garde l'ancienne et l'envoi reprendra "
                "où il s'est arrêté.",
                "{n} terminaux recevront leur configuration, tous en même temps. Chacun la "
                "vérifie (empreinte SHA-256) puis bascule d'un coup ; si le câble lâche, il garde "
                "l'ancienne et l'envoi reprendra où il s'est arrêté.",
                len(ready),
            ).format(n=len(ready))
        )
        intro.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setObjectName("pushChanges")
        self.tree.setHeaderHidden(True)
        for plan in plans:
            top = QTreeWidgetItem(self.tree, [plan_title(plan)])
            top.setToolTip(0, plan_title(plan))
            for line in plan.changes:
                QTreeWidgetItem(top, [line])
            top.setExpanded(True)
        buttons = QDialogButtonBox()
        self.send = buttons.addButton(
            ngettext("&Envoyer à {n} terminal", "&Envoyer à {n} terminaux", len(ready)).format(
                n=len(ready)
            ),
            QDialogButtonBox.ButtonRole.AcceptRole,
        )
        self.send.setObjectName("pushSend")
        self.send.setEnabled(bool(ready))
        cancel = buttons.addButton(_("Annuler"), QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setObjectName("pushCancel")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
