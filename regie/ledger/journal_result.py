"""What an import says: how many lines it read and took, or why it took none."""

from __future__ import annotations

from dataclasses import dataclass, field

from regie.errors import UserError
from regie.i18n import _, format_number, ngettext


@dataclass(frozen=True)
class LineProblem:
    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}, ligne {self.line}"
        return (
            f"{where}, champ {self.field} : {self.message}"
            if self.field
            else (f"{where} : {self.message}")
        )


@dataclass
class ImportResult:
    files: list[str] = field(default_factory=list)
    lines: int = 0
    imported: int = 0
    replayed: int = 0
    transfers: int = 0
    problems: list[LineProblem] = field(default_factory=list)

    def summary(self) -> str:
        """« 12 lignes lues : 10 importées (2 transferts), 2 déjà connues. »"""
        return _("{lines} : {imported} ({transfers}), {replayed}.").format(
            lines=ngettext("{n} ligne lue", "{n} lignes lues", self.lines).format(
                n=format_number(self.lines)
            ),
            imported=ngettext("{n} importée", "{n} importées", self.imported).format(
                n=format_number(self.imported)
            ),
            transfers=ngettext("{n} transfert", "{n} transferts", self.transfers).format(
                n=format_number(self.transfers)
            ),
            replayed=ngettext("{n} déjà connue", "{n} déjà connues", self.replayed).format(
                n=format_number(self.replayed)
            ),
        )


class JournalRejected(UserError):
    def __init__(self, result: ImportResult) -> None:
        shown = [str(problem) for problem in result.problems[:50]]
        more = len(result.problems) - len(shown)
        if more:
            shown.append(
                ngettext("… et {more} autre erreur", "… et {more} autres erreurs", more).format(
                    more=more
                )
            )
        shown.append(_("Rien n'a été importé."))
        super().__init__("\n".join(shown))
        self.result = result


class ImportCancelled(UserError):
    def __init__(self) -> None:
        super().__init__(_("import annulé : rien n'a été importé"))
