"""Why a line of a card's history was written. The history is a record: Régie writes its own
reasons in French (the templates below, marked with ``N_()``) and :func:`shown` reads them in
the language on screen; what a person typed (a blocking reason) is shown as typed."""

from __future__ import annotations

import functools
import re

from regie.i18n import N_, _

PAIRED = N_("puce {uid}")
REPLACES = N_("remplace {number}")
REPLACED_BY = N_("remplacée par {number}")
RETURNED = N_("rendue à la fin de {name}")
NOT_RETURNED = N_("non rendue à la fin de {name}")
STAFF = N_("carte staff de {person} : {places}{mode}")
MANAGER_MODE = N_(", mode gérant")
FAILED = N_("échec avant écriture")
CHIP_PAIRED = N_("puce associée")
URL_WRITTEN = N_("adresse écrite et relue")
PROTECTED = N_("protégée par mot de passe")
NO_CHIP = N_("sans puce")

WORDS = (FAILED, CHIP_PAIRED, URL_WRITTEN, PROTECTED, NO_CHIP)
TEMPLATES = (PAIRED, REPLACES, REPLACED_BY, NOT_RETURNED, RETURNED, STAFF)
VALUES = {"uid": r"[0-9A-Fa-f]+", "mode": f"(?:{re.escape(MANAGER_MODE)})?"}
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def french(template: str, **values: object) -> str:
    """A reason as recorded: the French template filled in (never translated at record time)."""
    return template.format(**values)


@functools.cache
def _pattern(template: str) -> re.Pattern[str]:
    parts, end = [], 0
    for found in PLACEHOLDER.finditer(template):
        name = found.group(1)
        parts += [
            re.escape(template[end : found.start()]),
            f"(?P<{name}>{VALUES.get(name, '.+?')})",
        ]
        end = found.end()
    return re.compile("".join(parts) + re.escape(template[end:]))


def shown(why: str) -> str:
    """A recorded reason in the language on screen."""
    parts = why.split(", ")
    if why and all(part in WORDS for part in parts):
        return ", ".join(_(part) for part in parts)
    for template in TEMPLATES:
        found = _pattern(template).fullmatch(why)
        if found is not None:
            values = found.groupdict()
            if "mode" in values:
                values["mode"] = _(MANAGER_MODE) if values["mode"] else ""
            return _(template).format(**values)
    return why
