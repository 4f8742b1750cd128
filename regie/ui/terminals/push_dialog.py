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

from regie.terminals.push import PushPlan, size_text


def plan_title(plan: PushPlan) -> str:
    """The change first (the port's path can be long): it is what the user checks."""
    name, port = plan.job.terminal, plan.job.port
    if plan.bundle is None:
        return f"{name} : impossible — {plan.problem}"
    if plan.up_to_date:
        return f"{name} : déjà en v{plan.bundle.version}, rien à envoyer — {port}"
    running = f"v{plan.running}" if plan.running else "aucune configuration"
    size = size_text(len(plan.bundle.body))
    return f"{name} : {running} → v{plan.bundle.version} ({size}) — {port}"


class PushDialog(QDialog):
    """Lists every terminal's changes; Send pushes those that have a bundle."""

    def __init__(self, plans: list[PushPlan], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pushDialog")
        self.setWindowTitle("Envoyer la configuration")
        self.resize(720, 460)
        self.plans = plans
        ready = [p for p in plans if p.bundle is not None]
        intro = QLabel(
            f"{len(ready)} terminal(aux) recevront leur configuration, tous en même temps. "
            "Chacun la vérifie (empreinte SHA-256) puis bascule d'un coup ; si le câble lâche, "
            "il garde l'ancienne et l'envoi reprendra où il s'est arrêté."
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
            f"&Envoyer à {len(ready)} terminal(aux)", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.send.setObjectName("pushSend")
        self.send.setEnabled(bool(ready))
        cancel = buttons.addButton("Annuler", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setObjectName("pushCancel")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
