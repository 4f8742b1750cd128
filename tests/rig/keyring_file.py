"""A keyring backend in a JSON file, for tests: the OS keyring's stand-in on a headless CI.

keyring loads it through its documented plug-in switch:
``PYTHON_KEYRING_BACKEND=tests.rig.keyring_file.FileKeyring`` and ``REGIE_TEST_KEYRING=path``.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import PasswordDeleteError


class FileKeyring(KeyringBackend):
    @properties.classproperty
    def priority(cls) -> float:
        """keyring knows every backend class once imported (collecting the tests imports this
        one) and picks the best viable: this one is viable only when its file is named, or
        every later keyring use in the test process would fail on the missing variable."""
        if "REGIE_TEST_KEYRING" not in os.environ:
            raise RuntimeError("REGIE_TEST_KEYRING is not set")
        return 1

    @property
    def _path(self) -> Path:
        return Path(os.environ["REGIE_TEST_KEYRING"])

    def _load(self) -> dict[str, str]:
        return json.loads(self._path.read_text()) if self._path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def _save(self, data: dict[str, str]) -> None:
        """Readers in other threads see the old file or the new one, never a half-written one."""
        temporary = self._path.with_name(
            f"{self._path.name}.{os.getpid()}.{threading.get_ident()}.tmp"
        )
        temporary.write_text(json.dumps(data))
        os.replace(temporary, self._path)

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}/{username}"] = password
        self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError(username)
        self._save(data)
