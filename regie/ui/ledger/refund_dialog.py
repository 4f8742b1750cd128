"""A cash refund at the desk: what the card holds, what goes back in cash under the
convention's rules (fee, minimum), what stays on it (gift tokens), then « Rendre X ? »."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget
from sqlalchemy.orm import Session

from regie.cards.lookup import wallet_uid
from regie.db import Database
from regie.i18n import _
from regie.ledger.desk import RefundQuote, RefundRules, cash_refund, refund_quote
from regie.ledger.labels import amount
from regie.money import format_money
from regie.settlement.refund_plan import rules_for
from regie.ui.ledger.desk_dialogs import DeskDialog, Outcome, holdings_text
from regie.ui.settlement.refunds_screen import rules_text


def quote_card(db: Database, uid: str) -> tuple[RefundQuote, RefundRules, str]:
    """What the card would get back under the convention's refund settings of today (fee,
    minimum), those rules as the desk applies them, and as the screens word them."""
    with db.session() as session:
        settings = rules_for(session)
        rules = RefundRules(settings.fee_cents, settings.minimum_cents)
        quote = refund_quote(session, wallet_uid(session, uid), rules)
        return quote, rules, rules_text(settings)


class RefundDialog(DeskDialog):
    def __init__(
        self,
        db: Database,
        uid: str,
        balances: dict[str, int],
        quote: RefundQuote,
        rules: RefundRules,
        rules_shown: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            db, uid, balances, _("Remboursement en espèces"), _("&Rembourser…"), parent
        )
        self.setObjectName("deskRefund")
        self.quote, self.rules = quote, rules
        rows = (
            (_("Remboursable :"), holdings_text(quote.paid), "refundPaid"),
            (_("Frais de remboursement :"), format_money(-quote.fee), "refundFee"),
            (_("À rendre en espèces :"), format_money(quote.cash), "refundCash"),
            (_("Reste sur la carte, non remboursable :"), holdings_text(quote.kept), "refundKept"),
        )
        for caption, value, name in rows:
            label = QLabel(value)
            label.setObjectName(name)
            self.form.addRow(caption, label)
        cash = self.findChild(QLabel, "refundCash")
        assert cash is not None
        cash.setStyleSheet("font-size: 18px; font-weight: bold;")
        rules_line = QLabel(rules_shown)
        rules_line.setObjectName("refundRules")
        rules_line.setWordWrap(True)
        rules_line.setStyleSheet("color: #5b6b7a;")
        self.form.addRow(rules_line)
        why = quote.refusal
        self.refusal = QLabel(f"{why[:1].upper()}{why[1:]}." if why else "")
        self.refusal.setObjectName("refundRefusal")
        self.refusal.setWordWrap(True)
        self.refusal.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.refusal.setVisible(bool(quote.refusal))
        self.form.addRow(self.refusal)
        self.go.setEnabled(not quote.refusal)

    def question(self) -> str:
        text = _("Rendre {cash} en espèces ?").format(cash=format_money(self.quote.cash))
        if self.quote.kept:
            text += "\n" + _("Carte {uid} · reste sur la carte : {kept}.").format(
                uid=self.uid, kept=holdings_text(self.quote.kept)
            )
        return text

    def confirm_label(self) -> str:
        return _("&Rendre")

    def post(self, session: Session, uid: str) -> Outcome:
        result = cash_refund(
            session, uid, self.rules, key=self.key, at=self.moment, expected_cash=self.quote.cash
        )
        cash = sum(result.paid.values()) - result.fee
        detail = _("Frais retenus : {fee}.").format(fee=format_money(result.fee))
        for code, cents in result.kept.items():
            detail += "\n" + _("Reste sur la carte, non remboursable : {amount}").format(
                amount=amount(cents, code)
            )
        return Outcome(
            uid,
            _("Remboursement enregistré"),
            _("Carte {uid} remboursée : rendez {cash} en espèces.").format(
                uid=uid, cash=format_money(cash)
            ),
            detail,
        )
