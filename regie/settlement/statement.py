"""A settlement statement as plain values: its inputs, its formula (French templates marked
N_() with their values), its figures; the words of the phase and the clamps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from regie.i18n import N_
from regie.settings.convention import Settings, figure
from regie.settlement.events import Event

SCHEMES = ("convention", "flat", "soticket")
SCHEME_LABELS = {
    "convention": N_("Convention CCC / Mamasound"),
    "flat": N_("Forfait simple"),
    "soticket": N_("Barème SoTicket"),
}
KINDS = ("external", "own")
# Words kept in French in a recorded statement and its PDF, translated with _() on screen.
AMORTISATION, POST, CROSSING = N_("amortissement"), N_("post-amortissement"), N_("bascule")
TYPED = N_("saisi")  # the turnover's source when it was typed rather than invoiced
MINIMUM, MAXIMUM, YEARLY_CAP = N_("minimum"), N_("maximum"), N_("plafond annuel")


def percent(base: int, bp: int) -> int:
    """``base × bp / 10 000`` rounded half up, in cents."""
    return (base * bp + 5000) // 10000


def base_at_rate(amount: int, bp: int) -> int:
    """The base whose ``bp`` is ``amount``: ``amount × 10 000 / bp``, cents rounded half up."""
    return (amount * 20000 + bp) // (2 * bp)


@dataclass(frozen=True)
class Line:
    label: str
    cents: int
    detail: str = ""  # what the line is about (an incident's number and item), not translated


@dataclass(frozen=True)
class Term:
    """A line of the formula: a French template marked N_() and its values, each with its kind:
    ``bp`` (a rate), ``cents`` (an amount), ``n`` (a number) or ``word`` (a text marked N_())."""

    template: str
    values: tuple[tuple[str, str, int | str], ...] = ()

    def text(self, show: dict[str, Any] | None = None, translate: Any = None) -> str:
        """In French as recorded and printed; or with ``translate`` and ``show[kind]``."""
        if translate is None or show is None:
            return self.template.format(**{k: figure(kind, v) for k, kind, v in self.values})
        shown = {k: show[kind](v) for k, kind, v in self.values}
        return str(translate(self.template)).format(**shown)

    def __str__(self) -> str:
        return self.text()


@dataclass(frozen=True)
class Inputs:
    """What a person gives a statement; None: from the invoices, the dates, the record."""

    scheme: str | None = None
    turnover_cents: int | None = None
    cachet_days: int | None = None
    travel_cents: int | None = None


@dataclass
class Statement:
    event: Event
    scheme: str
    settings: Settings
    turnover_source: str
    base_cents: int
    kind: str = "external"
    typed_turnover_cents: int | None = None
    rate_bp: int = 0
    post_rate_bp: int = 0  # the crossing prestation's rate after the line
    amortised_base_cents: int = 0  # the crossing prestation's base at the amortisation rate
    raw_share_cents: int = 0
    share_cents: int = 0
    clamp: str = ""  # "", MINIMUM, MAXIMUM, YEARLY_CAP
    phase: str = ""
    invested_equipment_cents: int = 0
    invested_hosting_cents: int = 0
    invested_bank_fees_cents: int = 0
    recovered_before_cents: int = 0
    recovery_cents: int = 0  # what this statement adds to the recovery
    book_amortised_cents: int = 0  # the inventory's depreciation to date, for information
    cachet_days: int = 0
    cachet_cents: int = 0
    travel_cents: int = 0
    costs: list[Line] = field(default_factory=list)
    melted_cents: int = 0
    melting_payback_bp: int = 0
    melting_payback_cents: int = 0  # the cooperative pays it back: deducted from the total
    redistribution_cents: int = 0
    formula: list[Term] = field(default_factory=list)
    missing_turnover: bool = False  # a draft of the season with no turnover known yet
    version: int = 0  # 0: a draft; n: this is recorded version n
    previous_version: int = 0  # the recorded version this one is compared with (0: none)
    previous: dict[str, int] | None = None  # that version's figures

    @property
    def invested_cents(self) -> int:
        return (
            self.invested_equipment_cents
            + self.invested_hosting_cents
            + self.invested_bank_fees_cents
        )

    @property
    def remaining_before_cents(self) -> int:
        return max(self.invested_cents - self.recovered_before_cents, 0)

    @property
    def remaining_after_cents(self) -> int:
        return max(self.remaining_before_cents - self.recovery_cents, 0)

    @property
    def costs_cents(self) -> int:
        return sum(line.cents for line in self.costs)

    @property
    def total_cents(self) -> int:
        """What the partner owes: share + cachet + costs − the melting payback."""
        return self.share_cents + self.cachet_cents + self.costs_cents - self.melting_payback_cents

    def figures(self) -> dict[str, int]:
        """The figures a recorded version freezes and a new version is compared on."""
        return {
            "base_cents": self.base_cents,
            "rate_bp": self.rate_bp,
            "share_cents": self.share_cents,
            "cachet_cents": self.cachet_cents,
            "costs_cents": self.costs_cents,
            "melted_cents": self.melted_cents,
            "melting_payback_cents": self.melting_payback_cents,
            "total_cents": self.total_cents,
            "invested_cents": self.invested_cents,
            "recovered_before_cents": self.recovered_before_cents,
            "recovery_cents": self.recovery_cents,
        }

    def differences(self) -> dict[str, tuple[int, int]]:
        """Figures that differ from the recorded version before: name → (before, now)."""
        if self.previous is None:
            return {}
        now = self.figures()
        return {
            name: (self.previous.get(name, 0), value)
            for name, value in now.items()
            if name in self.previous and self.previous[name] != value
        }


# The figures a version is compared on, named for people (marked N_(); French in the PDF).
FIGURE_LABELS = {
    "base_cents": N_("chiffre d'affaires HT hors cachet"),
    "rate_bp": N_("taux"),
    "share_cents": N_("part"),
    "cachet_cents": N_("cachet"),
    "costs_cents": N_("frais partagés"),
    "melted_cents": N_("euros fondus dans la période"),
    "melting_payback_cents": N_("monnaie fondante reversée"),
    "total_cents": N_("total dû à la coopérative"),
    "invested_cents": N_("montant à amortir"),
    "recovered_before_cents": N_("déjà récupéré avant"),
    "recovery_cents": N_("compté dans l'amortissement"),
}
