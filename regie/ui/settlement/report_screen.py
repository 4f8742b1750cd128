"""Rapport d'événement: the report PDF as the organisers will read it, its pages drawn by
poppler's ``pdftoppm`` into a scrollable preview, and « Enregistrer le PDF »."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from regie.db import Database
from regie.i18n import _, ngettext
from regie.settlement import counts
from regie.settlement.event_report import event_report
from regie.ui.forms.file_dialogs import save_path
from regie.ui.settlement.screen import Screen, failure_text, say, status_line
from regie.ui.settlement.words import count, euros
from regie.ui.tasks import Task

DPI = 80  # an A4 page 660 px wide: readable, and two fit the height of a laptop screen


@dataclass
class Preview:
    pdf: Path
    summary: str
    pages: list[Path] = field(default_factory=list)
    note: str = ""  # why there is no picture of the pages


def render_pages(pdf: Path, dpi: int = DPI) -> tuple[list[Path], str]:
    """PNG pictures of the pages (poppler's pdftoppm), or none and why."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        return [], _(
            "Aperçu indisponible : pdftoppm (paquet poppler-utils) n'est pas installé. "
            "Le PDF peut quand même être enregistré."
        )
    prefix = pdf.with_suffix("")
    done = subprocess.run(
        [tool, "-r", str(dpi), "-png", str(pdf), str(prefix)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        return [], _("Aperçu indisponible : pdftoppm a échoué ({error}).").format(
            error=done.stderr.strip()[:200]
        )
    return sorted(pdf.parent.glob(f"{prefix.name}-*.png")), ""


class ReportScreen(Screen):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(db, parent)
        self.preview: Preview | None = None
        self._folder = tempfile.TemporaryDirectory(prefix="regie-report-")
        self._renders = 0
        self.refresh_button = QPushButton(_("Actualiser &l'aperçu"))
        self.refresh_button.setObjectName("reportRefresh")
        self.save_button = QPushButton(_("&Enregistrer le PDF…"))
        self.save_button.setObjectName("reportSave")
        self.summary = status_line("reportSummary")
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.refresh_button)
        top.addWidget(self.save_button)
        self.pages = QWidget()
        self.pages.setObjectName("reportPages")
        self.pages_layout = QVBoxLayout(self.pages)
        self.pages_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.pages_layout.setSpacing(16)
        self.page_scroll = QScrollArea()
        self.page_scroll.setObjectName("reportScroll")
        self.page_scroll.setWidget(self.pages)
        self.page_scroll.setWidgetResizable(True)
        self.page_scroll.setStyleSheet(
            "QScrollArea { background: #8a949e; }QWidget#reportPages { background: #8a949e; }"
        )
        self.status = status_line("reportStatus")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.page_scroll, 1)
        self.refresh_button.clicked.connect(self.refresh)
        self.save_button.clicked.connect(self.ask_save)
        self.settle_controls()

    def controls(self) -> list[QWidget]:
        return [self.refresh_button, self.save_button]

    def settle_controls(self) -> None:
        if not self.busy:
            self.save_button.setEnabled(self.preview is not None)
            self.refresh_button.setEnabled(bool(self.prestation))

    def page_labels(self) -> list[QLabel]:
        return self.pages.findChildren(QLabel, "reportPage")

    def refresh(self) -> None:
        if not self.prestation:
            say(self.status, _("Aucune prestation : ajoutez-en une dans l'inventaire."), "warn")
            return
        db, name = self.db, self.prestation
        self._renders += 1
        folder = Path(self._folder.name) / str(self._renders)

        def work(_task: Task) -> Preview:
            from regie.settlement.report_pdf import report_pdf  # reportlab: 0.2 s to import

            with db.session() as session:
                report = event_report(session, name)
            folder.mkdir()
            pdf = report_pdf(report, folder / "rapport.pdf")
            summary = _(
                "Ventes {sales} · {count} · panier moyen {basket} · {cards} · "
                "reste sur les cartes {left}"
            ).format(
                sales=euros(report.sales_cents),
                count=ngettext("{n} vente", "{n} ventes", report.sales_count).format(
                    n=count(report.sales_count)
                ),
                basket=euros(report.average_basket_cents),
                cards=counts.cards(report.cards_used),
                left=euros(sum(report.left_on_cards.values())),
            )
            pages, note = render_pages(pdf)
            return Preview(pdf, summary, pages, note)

        say(self.status, _("Préparation du rapport…"))
        self.run(
            "event-report",
            work,
            self._shown,
            failed=lambda error: say(self.status, failure_text(error), "error"),
        )

    def _shown(self, preview: Preview) -> None:
        self.preview = preview
        say(self.summary, preview.summary, bold=False)
        say(self.status, preview.note, "warn")
        for label in self.page_labels():
            label.deleteLater()
        for number, path in enumerate(preview.pages, 1):
            page = QLabel()
            page.setObjectName("reportPage")
            page.setPixmap(QPixmap(str(path)))
            page.setFrameShape(QFrame.Shape.Box)
            page.setStyleSheet("background: white; border: 1px solid #5b6b7a;")
            page.setToolTip(
                _("Page {number} sur {pages}").format(number=number, pages=len(preview.pages))
            )
            self.pages_layout.addWidget(page)
        self.settle_controls()

    def ask_save(self) -> None:
        if self.preview is None:
            return
        offered = f"rapport-{self.prestation}.pdf".replace(" ", "-")
        path = save_path(self, _("Rapport d'événement"), offered, _("PDF (*.pdf)"))
        if path:
            self.save_pdf(path)

    def save_pdf(self, path: Path) -> None:
        assert self.preview is not None
        try:
            shutil.copyfile(self.preview.pdf, path)
        except OSError as error:
            say(self.status, failure_text(error), "error")
            return
        say(self.status, _("Rapport enregistré : {file}").format(file=path), "ok")
