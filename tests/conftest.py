"""Shared pytest fixtures."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

# `tests` has no __init__.py: make `tests.rig` importable however pytest is launched.
_REPO_ROOT = str(Path(__file__).resolve().parents[1])
if _REPO_ROOT not in sys.path:
    sys.path.insert(0, _REPO_ROOT)

from tests.rig import services  # noqa: E402
from tests.rig.services import (  # noqa: E402
    LocalStripe,
    PcscdHandle,
    PostgresCluster,
    PtyPair,
    ServiceError,
    XvfbDisplay,
)

# ============================================================================================
# Service rig (tests/rig/services.py): real daemons on 127.0.0.1, stopped at the end.
# A missing component FAILS the test (pytest.fail naming the Debian package), never skips.
# Session fixtures are per xdist worker; pcscd is machine-wide and reference-counted.
# ============================================================================================

T = TypeVar("T")


def _enter(stack: contextlib.ExitStack, cm: contextlib.AbstractContextManager[T]) -> T:
    """Enter a rig context manager; a ServiceError becomes a plain test failure."""
    try:
        return stack.enter_context(cm)
    except ServiceError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="module")
def pcscd_daemon() -> Iterator[PcscdHandle]:
    """pcscd with the vpcd readers "Virtual PCD 00 00"/"00 01", fresh for each test module:
    after some reader tests pcscd 1.9.9 closes vpcd's channel while it keeps running, and a
    module must not inherit that state from the one before."""
    with contextlib.ExitStack() as stack:
        yield _enter(stack, services.pcscd_service())


@pytest.fixture
def pcscd(pcscd_daemon: PcscdHandle) -> Iterator[PcscdHandle]:
    """The session's pcscd, checked before each test: if it died (a crash in an earlier
    test), it is started again so one crash does not fail every later test — and the test
    that needed a restart is told, on stderr, so the crash stays visible."""
    if (
        services.pcscd_accepts(pcscd_daemon.socket_path)
        and services.VIRTUAL_READER in services.list_readers()
        and services.vpcd_listening()
    ):
        yield pcscd_daemon
        return
    print("pcscd had stopped: started again for this test", file=sys.stderr)
    with contextlib.ExitStack() as stack:
        yield _enter(stack, services.pcscd_service())


@pytest.fixture
def pty_pair(tmp_path: Path) -> Iterator[PtyPair]:
    """Two linked ptys ``.a`` / ``.b`` (paths); ``.kill()`` pulls the cable."""
    with contextlib.ExitStack() as stack:
        yield _enter(stack, services.socat_pty_pair(tmp_path))


@pytest.fixture(scope="session")
def localstripe() -> Iterator[LocalStripe]:
    """localstripe: ``.url``, ``.port``, ``.stop()``, ``.start()`` (same port, EMPTY state).

    A test that stops it must start it again (or leave it to the next ``stripe_api`` user,
    which restarts it).
    """
    with contextlib.ExitStack() as stack:
        yield _enter(stack, services.localstripe_service())


@pytest.fixture
def stripe_api(localstripe: LocalStripe) -> Iterator[None]:
    """The global ``stripe`` library pointed at localstripe for one test."""
    if not localstripe.running:  # a previous test stopped it and failed before start()
        localstripe.start()
    with services.stripe_pointed_at(localstripe.url):
        yield


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """Throwaway PostgreSQL: ``.host``, ``.port``, ``.create_database(name=None) -> URL``."""
    with contextlib.ExitStack() as stack:
        yield _enter(stack, services.postgres_cluster())


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """SQLAlchemy URL of a new empty database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/regie.sqlite3"
    # Lazily: the cluster only starts if a postgresql-param test runs.
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    return cluster.create_database()


@pytest.fixture(scope="session")
def xvfb() -> Iterator[XvfbDisplay]:
    """Xvfb 1280x800x24; sets DISPLAY=:N and QT_QPA_PLATFORM=xcb while it runs."""
    with contextlib.ExitStack() as stack:
        yield _enter(stack, services.xvfb_display())


@pytest.fixture
def english() -> Iterator[None]:
    """Régie in English for the test, French again after it."""
    from regie import i18n

    i18n.set_language("en")
    try:
        yield
    finally:
        i18n.set_language("fr")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """``<repo>/artifacts`` (created), for screenshots."""
    return services.artifacts_dir()


# ============================================================================================
# GUI: real windows on Xvfb, one QApplication per process, one qasync loop per test.
# ============================================================================================


@pytest.fixture(scope="session")
def qapp(xvfb: XvfbDisplay, qapp_args: list[str]) -> Iterator[object]:
    """pytest-qt's application, created only once Xvfb runs (real X11 windows, not offscreen)."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(qapp_args)
    yield app
    # Close the X connection while Xvfb still runs, or Qt exits with "X11 connection broke".
    app.closeAllWindows()
    app.processEvents()
    app.shutdown()


@pytest.fixture
def qt_loop(qapp: object) -> Iterator[asyncio.AbstractEventLoop]:
    """The app's asyncio loop on the Qt main thread, as ``regie.ui.app.run`` sets it up."""
    import PySide6  # noqa: F401  (qasync must see PySide6 first)
    import qasync

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        # An unclosed qasync loop makes Qt abort at exit (rc 134) after green tests.
        loop.close()
        asyncio.set_event_loop(None)


@pytest.fixture(autouse=True, scope="session")
def audit_trail() -> None:
    """The tests stand where the composition roots (regie.cli, regie.ui.app) stand: every
    database they build records who changed what, as the application's do."""
    from regie.audit.recorder import install_audit

    install_audit()


@pytest.fixture(autouse=True, scope="session")
def private_user_folders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test reads or writes the user's own Régie folders (settings, logs, backups, the
    embedded database): a saved English, say, must not turn French assertions red."""
    before = os.environ.get("REGIE_DATA_DIR")
    os.environ["REGIE_DATA_DIR"] = str(tmp_path_factory.mktemp("regie-user"))
    yield
    if before is None:
        os.environ.pop("REGIE_DATA_DIR", None)
    else:
        os.environ["REGIE_DATA_DIR"] = before


pytest_plugins = [
    "tests.inventory_fixtures",
    "tests.ledger_fixtures",
    "tests.gui_inventory_support",
]


# ============================================================================================
# Two workers (tests/run.sh runs `-n 2`): a module stays on one worker, so its module fixtures
# (a window, a base) are built once; every module that reaches the PC/SC rig (pcscd, the vpcd
# card, a real reader backend polling it) runs on the same worker, one after the other, since
# two workers would take the one virtual card from each other. (xdist's own `loadgroup` marks
# do nothing under pytest 9, whose node ids no longer take the group's suffix.)
# ============================================================================================

_PCSC_WORDS = ("pcscd", "PcscBackend", "reader_backends")


@functools.cache
def _reaches_pcsc(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    return any(word in text for word in _PCSC_WORDS)


def worker_scope(root: Path, nodeid: str) -> str:
    """The worker's unit of work for a test: its module, or « pcsc » for the rig's modules."""
    module = nodeid.split("::", 1)[0]
    return "pcsc" if _reaches_pcsc(root / module) else module


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    from xdist.scheduler import LoadScopeScheduling

    class ModuleScheduling(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return worker_scope(config.rootpath, nodeid)

    return ModuleScheduling(config, log)


def pytest_collection_finish(session: pytest.Session) -> None:
    """In one process, the bundle's minute of PyInstaller runs on the idle second core while
    the other tests run (tests/rig/bundle_build.py)."""
    from tests.rig.bundle_build import EARLY_BUILD, start_build

    config, items = session.config, session.items
    one_process = not hasattr(config, "workerinput") and not config.getoption("numprocesses", 0)
    if one_process and any(Path(str(i.fspath)).name == "test_installer_bundle.py" for i in items):
        config.stash[EARLY_BUILD] = start_build()


def pytest_unconfigure(config: pytest.Config) -> None:
    from tests.rig.bundle_build import EARLY_BUILD

    build = config.stash.get(EARLY_BUILD, None)
    if build is not None and build.process.poll() is None:  # the run stopped before its tests
        build.process.kill()
        build.process.wait()
        shutil.rmtree(build.folder, ignore_errors=True)
