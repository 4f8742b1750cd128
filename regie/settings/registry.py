"""Every setting of Régie declared once: its key, kind, default, French label and help, scope.

Two scopes. *This laptop* (``laptop``): the language, the window, the card reader and serial
port at hand, where backups go; kept in a file of the user's config dir
(:mod:`regie.settings.laptop`). *The office* (``office``): the details printed on invoices and
the convention's numbers; kept in the database, so every laptop of a shared PostgreSQL office
sees the same (:mod:`regie.settings.office`, which reads and writes the tables that already
hold them: the invoicing ``Organisation`` and the dated convention settings).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from regie.errors import NotFound, UserError
from regie.i18n import LANGUAGES, N_, _
from regie.settings.convention import OPTIONS as CONVENTION_OPTIONS
from regie.settings.event_zone import ZONES

Scope = Literal["laptop", "office"]
# text, int, bool, choice (one of ``choices``), folder, reader (a card reader's name),
# port (a serial port), cents and bp (the convention's money and rates, basis points).
Kind = Literal["text", "int", "bool", "choice", "folder", "reader", "port", "cents", "bp"]
Value = str | int | bool

GENERAL = N_("Général")
DEVICES = N_("Appareils")
BACKUPS = N_("Sauvegardes")
ORGANISATION = N_("Organisation")
CONVENTION = N_("Convention")
GROUPS = (GENERAL, DEVICES, BACKUPS, ORGANISATION, CONVENTION)


class BadValue(UserError):
    """A value a setting cannot take; the message says which setting and what it expects."""


@dataclass(frozen=True, kw_only=True)
class Setting:
    key: str
    kind: Kind
    default: Value
    label: str  # French, marked with N_(): translated where shown
    scope: Scope
    group: str
    help: str = ""
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    shown: bool = True  # False: remembered by Régie itself (the window), not in the dialog

    def check(self, value: object) -> Value:
        """``value`` as this setting keeps it, or BadValue saying what is expected."""
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            raise BadValue(_("{key} : « oui » ou « non » attendu").format(key=self.key))
        if self.kind in ("int", "cents", "bp"):
            if not isinstance(value, int) or isinstance(value, bool):
                raise BadValue(_("{key} : un nombre entier attendu").format(key=self.key))
            low = 0 if self.minimum is None else self.minimum
            if value < low or (self.maximum is not None and value > self.maximum):
                raise BadValue(self._range_message())
            return value
        if not isinstance(value, str):
            raise BadValue(_("{key} : un texte attendu").format(key=self.key))
        if self.kind == "choice" and value not in self.choices:
            raise BadValue(
                _("{key} : « {value} » inconnu (choix : {choices})").format(
                    key=self.key, value=value, choices=", ".join(self.choices)
                )
            )
        return value

    def _range_message(self) -> str:
        low = 0 if self.minimum is None else self.minimum
        if self.maximum is None:
            return _("{key} : au moins {low}").format(key=self.key, low=low)
        return _("{key} : entre {low} et {high}").format(key=self.key, low=low, high=self.maximum)

    def parse(self, text: str) -> Value:
        """A value as a person types it (CLI, a file edited by hand)."""
        text = text.strip()
        if self.kind == "bool":
            lowered = text.lower()
            if lowered in ("oui", "yes", "true", "1", "vrai"):
                return True
            if lowered in ("non", "no", "false", "0", "faux"):
                return False
            return self.check(text)
        if self.kind in ("cents", "bp"):
            from regie.settings.convention import option, parse_value

            return self.check(parse_value(option(self.key.removeprefix("convention.")), text))
        if self.kind == "int":
            try:
                number = int(text)
            except ValueError:
                raise BadValue(
                    _("{key} : « {value} » n'est pas un nombre entier").format(
                        key=self.key, value=text
                    )
                ) from None
            return self.check(number)
        return self.check(text)

    def show(self, value: Value) -> str:
        """The value for people, in the current language."""
        from regie.i18n import format_money, format_number

        if self.kind == "bool":
            return _("oui") if value else _("non")
        if self.kind == "cents" and isinstance(value, int):
            return format_money(value)
        if self.kind == "bp" and isinstance(value, int):
            from decimal import Decimal

            from regie.i18n import format_percent

            digits = 0 if value % 100 == 0 else 1 if value % 10 == 0 else 2
            return format_percent(Decimal(value) / 10000, digits=digits)
        if self.kind == "int" and isinstance(value, int):
            return format_number(value)
        if self.key == "language" and isinstance(value, str):
            return LANGUAGES.get(value, value)
        return str(value)


LAPTOP: tuple[Setting, ...] = (
    Setting(
        key="language",
        kind="choice",
        default="fr",
        label=N_("Langue"),
        scope="laptop",
        group=GENERAL,
        help=N_("Langue des écrans et des commandes (la langue demandée au lancement l'emporte)"),
        choices=tuple(LANGUAGES),
    ),
    Setting(
        key="devices.card_reader",
        kind="reader",
        default="",
        label=N_("Lecteur de cartes"),
        scope="laptop",
        group=DEVICES,
        help=N_("Le lecteur proposé d'abord pour encoder ; vide : le premier trouvé"),
    ),
    Setting(
        key="devices.serial_port",
        kind="port",
        default="",
        label=N_("Port série des terminaux"),
        scope="laptop",
        group=DEVICES,
        help=N_("Le port proposé d'abord pour pousser et relever un terminal"),
    ),
    Setting(
        key="backup.folder",
        kind="folder",
        default="",
        label=N_("Dossier des sauvegardes"),
        scope="laptop",
        group=BACKUPS,
        help=N_("Vide : le dossier « sauvegardes » des données de Régie"),
    ),
    Setting(
        key="backup.keep",
        kind="int",
        default=24,
        label=N_("Sauvegardes gardées"),
        scope="laptop",
        group=BACKUPS,
        help=N_("Au-delà, la plus ancienne est effacée"),
        minimum=1,
        maximum=1000,
    ),
    Setting(
        key="backup.interval_minutes",
        kind="int",
        default=60,
        label=N_("Sauvegarde toutes les (minutes)"),
        scope="laptop",
        group=BACKUPS,
        help=N_("Pendant que Régie est ouverte"),
        minimum=5,
        maximum=1440,
    ),
    Setting(
        key="window.geometry",
        kind="text",
        default="",
        label=N_("Position et taille de la fenêtre"),
        scope="laptop",
        group=GENERAL,
        shown=False,
    ),
    Setting(
        key="window.section",
        kind="text",
        default="",
        label=N_("Section ouverte"),
        scope="laptop",
        group=GENERAL,
        shown=False,
    ),
    Setting(
        key="files.last_folder",
        kind="text",
        default="",
        label=N_("Dernier dossier des fichiers"),
        scope="laptop",
        group=GENERAL,
        shown=False,
    ),
)

# The invoicing organisation's row (the convention's ``partner``): its columns, as settings.
ORGANISATION_FIELDS: tuple[tuple[str, str], ...] = (
    ("name", N_("Raison sociale")),
    ("legal_form", N_("Forme juridique")),
    ("siret", N_("SIRET")),
    ("vat_number", N_("N° de TVA intracommunautaire")),
    ("address", N_("Adresse")),
    ("email", N_("Courriel")),
)
ORGANISATION_HELP = N_("Imprimé sur les factures (organisation qui facture : réglage partner)")

ZONE = Setting(
    key="office.timezone",
    kind="choice",
    default=ZONES[0],
    label=N_("Fuseau horaire des événements"),
    scope="office",
    group=GENERAL,
    help=N_("L'heure lue sur les écrans, les PDF et les exports (enregistrée en UTC)"),
    choices=ZONES,
)
OFFICE: tuple[Setting, ...] = (
    ZONE,
    *(
        Setting(
            key=f"organisation.{field}",
            kind="text",
            default="",
            label=label,
            scope="office",
            group=ORGANISATION,
            help=ORGANISATION_HELP,
        )
        for field, label in ORGANISATION_FIELDS
    ),
    *(
        Setting(
            key=f"convention.{opt.name}",
            kind="text" if opt.kind == "text" else "int" if opt.kind == "int" else opt.kind,  # type: ignore[arg-type]
            default=opt.default,
            label=opt.label,
            scope="office",
            group=CONVENTION,
            help=N_(
                "Nouvelle valeur à partir d'aujourd'hui ; l'historique reste (Règlement → Réglages)"
            ),
        )
        for opt in CONVENTION_OPTIONS
    ),
)

SETTINGS: tuple[Setting, ...] = LAPTOP + OFFICE
BY_KEY = {setting.key: setting for setting in SETTINGS}


def setting(key: str) -> Setting:
    found = BY_KEY.get(key)
    if found is None:
        raise NotFound(
            _("réglage inconnu : {key}").format(key=key),
            command=_("réglage inconnu : {key} (voir regie settings list)").format(key=key),
        )
    return found
