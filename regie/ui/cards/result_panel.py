"""The encoding station's big panel: the last card's outcome in large type and in its colour,
read from a step away, with the session's count and rate beside it."""

from __future__ import annotations

from babel.numbers import format_decimal
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QWidget

from regie.cards.encoding import OUTCOME_LABELS, CardResult, SessionStats
from regie.cards.ntag import CHIP_LABELS
from regie.i18n import _, locale_name, ngettext
from regie.ui.cards.tones import IDLE_COLOURS, OUTCOME_COLOURS
from regie.ui.cards.words import sentence

FIGURE = "color: #1f2a36;"


def per_minute(rate: float) -> str:
    return _("{rate} cartes/min").format(rate=format_decimal(rate, "#,##0.0", locale=locale_name()))


def breakdown(stats: SessionStats) -> str:
    return " · ".join(
        (
            ngettext("{n} encodée", "{n} encodées", stats.encoded).format(n=stats.encoded),
            ngettext("{n} ré-encodée", "{n} ré-encodées", stats.reencoded).format(
                n=stats.reencoded
            ),
            ngettext("{n} déjà encodée", "{n} déjà encodées", stats.already_encoded).format(
                n=stats.already_encoded
            ),
            ngettext("{n} échec", "{n} échecs", stats.failed).format(n=stats.failed),
        )
    )


class ResultPanel(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("encodingPanel")
        self.outcome = QLabel("")
        self.outcome.setObjectName("encodingOutcome")
        self.detail = QLabel("")
        self.detail.setObjectName("encodingDetail")
        self.reason = QLabel("")
        self.reason.setObjectName("encodingReason")
        self.reason.setWordWrap(True)
        self.count = QLabel("")
        self.count.setObjectName("encodingCount")
        self.count.setStyleSheet(f"font-size: 30px; font-weight: bold; {FIGURE}")
        self.rate = QLabel("")
        self.rate.setObjectName("encodingRate")
        self.rate.setStyleSheet(f"font-size: 18px; {FIGURE}")
        self.breakdown = QLabel("")
        self.breakdown.setObjectName("encodingBreakdown")
        # The reason and the breakdown get whole lines: a long one never widens the screen.
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        grid = QGridLayout(self)
        grid.setContentsMargins(18, 10, 18, 10)
        grid.addWidget(self.outcome, 0, 0)
        grid.addWidget(self.count, 0, 1, right)
        grid.addWidget(self.detail, 1, 0)
        grid.addWidget(self.rate, 1, 1, right)
        grid.addWidget(self.reason, 2, 0, 1, 2)
        grid.addWidget(self.breakdown, 3, 0, 1, 2, right)
        grid.setColumnStretch(0, 1)
        self.show_result(None, None)

    def show_result(self, result: CardResult | None, stats: SessionStats | None) -> None:
        colour, background = OUTCOME_COLOURS[result.outcome] if result else IDLE_COLOURS
        self.setStyleSheet(
            f"QFrame#encodingPanel {{ background: {background}; border: 2px solid {colour};"
            " border-radius: 8px; }"
        )
        self.outcome.setStyleSheet(f"font-size: 44px; font-weight: bold; color: {colour};")
        self.detail.setStyleSheet(f"font-size: 20px; color: {colour};")
        self.reason.setStyleSheet(f"font-size: 16px; color: {colour};")
        self.setProperty("outcome", result.outcome.value if result else "")
        if result is None:
            self.outcome.setText(_("Posez une carte"))
            self.detail.setText(_("Réglez la session puis Démarrer."))
            self.reason.setText("")
        else:
            chip = _(CHIP_LABELS[result.chip]) if result.chip else _("puce ?")
            number = result.number or ""
            self.outcome.setText(f"{_(OUTCOME_LABELS[result.outcome])}  {number}".strip())
            self.detail.setText(
                _("UID {value} · {chip}").format(value=result.uid or "?", chip=chip)
            )
            self.reason.setText(sentence(result.reason))
        stats = stats or SessionStats()
        self.count.setText(
            ngettext("{done} carte", "{done} cartes", stats.done).format(done=stats.done)
        )
        self.rate.setText(per_minute(stats.rate_per_minute()))
        self.breakdown.setText(breakdown(stats))
