"""This laptop's settings: a small JSON file in the user's config dir.

A value that cannot be read (a file edited by hand, an older or newer Régie) is replaced by
its default and named in ``problems``: Régie says so and never fails to start because of it.
Writing goes to a temporary file renamed over the old one, so a crash leaves either the old
file or the new one, never half of it.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

from platformdirs import user_config_dir

from regie.i18n import _
from regie.paths import APP_NAME, DATA_DIR_ENV
from regie.settings.registry import LAPTOP, BadValue, Setting, Value, setting

log = logging.getLogger(__name__)
FILE_NAME = "settings.json"


def settings_path() -> Path:
    """``settings.json`` in the user config dir (``REGIE_DATA_DIR`` overrides it, for tests)."""
    override = os.environ.get(DATA_DIR_ENV)
    folder = Path(override) if override else Path(user_config_dir(APP_NAME, appauthor=False))
    return folder / FILE_NAME


class LaptopSettings:
    """The laptop-scope values, read once; ``set`` checks and writes through at once.

    ``path=None`` keeps them in memory only (a window opened by a test, a demo).
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.problems: list[str] = []
        self._values: dict[str, Value] = {}
        self._unknown: dict[str, object] = {}  # keys of a newer Régie, kept on save
        if path is not None:
            self._read(path)

    @classmethod
    def load(cls) -> LaptopSettings:
        return cls(settings_path())

    def _read(self, path: Path) -> None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        except (OSError, UnicodeDecodeError) as error:
            self._problem(_("{path} illisible ({error}) : réglages par défaut"), path, error)
            return
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            self._problem(_("{path} abîmé ({error}) : réglages par défaut"), path, error)
            return
        if not isinstance(data, dict):
            self._problem(_("{path} abîmé ({error}) : réglages par défaut"), path, "{…}")
            return
        known = {item.key: item for item in LAPTOP}
        for key, raw in data.items():
            item = known.get(key)
            if item is None:
                self._unknown[key] = raw
                continue
            try:
                self._values[key] = item.check(raw)
            except BadValue as error:
                self.problems.append(
                    _("{error} ; valeur par défaut : {default}").format(
                        error=error, default=item.show(item.default) or "—"
                    )
                )
        for problem in self.problems:
            log.warning("%s: %s", path, problem)

    def _problem(self, template: str, path: Path, error: object) -> None:
        message = template.format(path=path, error=error)
        self.problems.append(message)
        log.warning("%s", message)

    def get(self, key: str) -> Value:
        item = self._laptop(key)
        return self._values.get(key, item.default)

    def text(self, key: str) -> str:
        return str(self.get(key))

    def number(self, key: str) -> int:
        value = self.get(key)
        assert isinstance(value, int)
        return value

    def is_default(self, key: str) -> bool:
        return key not in self._values

    def set(self, key: str, value: Value) -> None:
        """Check ``value`` and save the file (BadValue: nothing changed)."""
        self.update({key: value})

    def update(self, values: dict[str, Value]) -> None:
        """Several values at once: all checked first, then one write."""
        checked = {key: self._laptop(key).check(value) for key, value in values.items()}
        self._values.update(checked)
        self.save()

    def _laptop(self, key: str) -> Setting:
        item = setting(key)
        if item.scope != "laptop":
            raise BadValue(_("{key} est un réglage du bureau, gardé dans la base").format(key=key))
        return item

    def save(self) -> None:
        if self.path is None:
            return
        data: dict[str, object] = dict(self._unknown)
        data.update(self._values)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(dir=self.path.parent, prefix=".settings-")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump(data, handle, ensure_ascii=False, indent=2, sort_keys=True)
                handle.write("\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(name, self.path)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
