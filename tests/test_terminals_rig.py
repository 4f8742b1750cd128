"""The terminals' test rig, and tests of the rig itself.

- :class:`Cable`: a socat pty pair that can be pulled and plugged back at the same paths (a
  USB gadget reappearing under the same name);
- :class:`Agent`: a real ``regie-agent`` subprocess on one end of a cable;
- :class:`Relay`: a "noisy cable" between two pty pairs, forwarding bytes both ways and on
  demand injecting noise, flipping a byte inside a frame, or carrying only N bytes a second
  (a 115,200-baud UART);
- :func:`fleet_db`: a database with terminals registered on inventory assets, menus, settings.

The benchmarks (bench/terminals*.py) use the same helpers.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from regie.cards.batches import FactoryLine, create_batch
from regie.cards.models import Card
from regie.db import Database
from regie.inventory.models import Asset, AssetCategory, AssetModel, Tracking
from regie.ledger.models import PointOfSale
from regie.ledger.simulate import PRODUCTS
from regie.models import Organisation
from regie.terminals.frames import MAGIC, Kind
from regie.terminals.models import MenuItem
from regie.terminals.registry import register_terminal, update_settings
from tests.rig import services

AGENT = Path(sys.executable).with_name("regie-agent")
POINTS_OF_SALE = ("Bar Nord", "Bar Sud", "Food Court", "Crêperie", "Boutique")


# -- a cable -----------------------------------------------------------------------------------
class Cable:
    """``a`` for Régie, ``b`` for the terminal."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.a = str(directory / "ttyA")
        self.b = str(directory / "ttyB")
        self._stack: contextlib.ExitStack | None = None
        self.pair: services.PtyPair | None = None
        self.plug()

    def plug(self) -> None:
        for link in (self.a, self.b):  # socat's links of a killed pair may linger
            with contextlib.suppress(FileNotFoundError):
                os.unlink(link)
        self._stack = contextlib.ExitStack()
        self.pair = self._stack.enter_context(services.socat_pty_pair(self.directory))

    def pull(self) -> None:
        """Kill socat: both ends see the line vanish."""
        if self._stack is not None:
            self._stack.close()
            self._stack = None

    close = pull


# -- an agent ----------------------------------------------------------------------------------
class Agent:
    def __init__(
        self, port: str, state: Path, *args: str, env: dict[str, str] | None = None
    ) -> None:
        if not AGENT.exists():
            pytest.fail(f"{AGENT} introuvable : pip install -e . dans le venv", pytrace=False)
        self.port, self.state, self.args = port, state, args
        self.log_path = state.with_name(state.name + ".log")
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [str(AGENT), "--port", self.port, "--state", str(self.state), *self.args],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                env=self.env,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while b"pr\xc3\xaat sur" not in self.log_path.read_bytes():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"regie-agent n'a pas démarré :\n{self.log()}", pytrace=False)
            time.sleep(0.02)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.proc is not None:
            services.terminate_process(self.proc)

    def power_cut(self) -> None:
        """SIGKILL: no cleanup at all."""
        if self.proc is not None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)

    def freeze(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGCONT)

    def active(self) -> dict[str, Any]:
        path = self.state / "active.json"
        return orjson.loads(path.read_bytes()) if path.exists() else {}

    def config(self) -> dict[str, Any]:
        active = self.active()
        return orjson.loads((self.state / active["file"]).read_bytes()) if active else {}

    def staged(self) -> int:
        return sum(p.stat().st_size for p in (self.state / "staging").glob("*.part"))

    def acked(self) -> int:
        path = self.state / "journal-acked.json"
        return int(orjson.loads(path.read_bytes())["seq"]) if path.exists() else 0


# -- a noisy cable -------------------------------------------------------------------------------
class Relay:
    """Forwards bytes between ``left`` (Régie's side) and ``right`` (the agent's side)."""

    def __init__(self, left: str, right: str, *, rate: int | None = None) -> None:
        self.paths = [left, right]
        self.fds = [os.open(path, os.O_RDWR | os.O_NOCTTY) for path in self.paths]
        self.rate = rate  # bytes per second and direction, None: as fast as the ptys
        self.noise: list[bytes] = [b"", b""]  # written before the next bytes, per direction
        self.flips: list[dict[int, int]] = [{}, {}]  # kind -> frames still to damage
        self.held = [bytearray(), bytearray()]
        self.forwarded = [0, 0]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="relay")
        self._thread.start()

    def damage(self, toward_agent: bool, kind: Kind, frames: int = 1) -> None:
        """Flip one payload byte in the next ``frames`` frames of ``kind``."""
        self.flips[0 if toward_agent else 1][int(kind)] = frames

    def inject(self, toward_agent: bool, data: bytes) -> None:
        self.noise[0 if toward_agent else 1] += data

    def _run(self) -> None:
        budget_at = time.monotonic()
        while not self._stop.is_set():
            ready, _, _ = select.select(self.fds, [], [], 0.05)
            for fd in ready:
                direction = self.fds.index(fd)
                try:
                    data = os.read(fd, 1024 if self.rate else 65536)
                except OSError:
                    data = b""
                if not data:  # that cable was pulled: wait for it to be plugged back
                    self._reopen(direction)
                    break
                if self.rate:
                    budget_at = max(budget_at, time.monotonic()) + len(data) / self.rate
                    time.sleep(max(0.0, budget_at - time.monotonic()))
                self._forward(direction, data)

    def _reopen(self, side: int) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fds[side])
        self.held[side].clear()
        while not self._stop.is_set():
            try:
                self.fds[side] = os.open(self.paths[side], os.O_RDWR | os.O_NOCTTY)
                return
            except OSError:
                time.sleep(0.05)

    def _forward(self, direction: int, data: bytes) -> None:
        held = self.held[direction]
        held += data
        flips = self.flips[direction]
        cut = len(held)
        for kind, left in list(flips.items()):
            if left <= 0:
                continue
            at = held.find(MAGIC + bytes([kind]))
            if at < 0:
                continue
            target = at + 12 + 6  # inside the payload (after a chunk's offset)
            if target >= len(held):
                cut = min(cut, at)  # wait for the rest of the frame
                continue
            held[target] ^= 0xFF
            flips[kind] = left - 1
        out = bytes(self.noise[direction]) + bytes(held[:cut])
        self.noise[direction] = b""
        del held[:cut]
        target_fd = self.fds[1 - direction]
        view = memoryview(out)
        while view:
            try:
                written = os.write(target_fd, view)
            except BlockingIOError:
                select.select([], [target_fd], [], 0.05)
                continue
            except OSError:
                return
            view = view[written:]
        self.forwarded[direction] += len(out)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)
        for fd in self.fds:
            with contextlib.suppress(OSError):
                os.close(fd)


# -- a fleet in a database -----------------------------------------------------------------------
_TEMPLATES: dict[tuple[int, bool], Path] = {}


def fleet_db(url: str, terminals: int = 5, *, big: bool = False) -> Database:
    """Terminals SUNMI-V2S-001… on assets CCC-V2S-001… (serials V2S2409001…), one point of
    sale each with the festival simulator's products, and the event's settings; ``big``: a
    block list of 17,000 cards and 500 products on Bar Nord (a 1 MB configuration).

    On SQLite the database is built once per process and copied (the migrations and 17,000
    cards take a second or two; a copy, milliseconds)."""
    target = make_url(url).database if url.startswith("sqlite") else None
    if target is None:
        return _build_fleet(url, terminals, big)
    key = (terminals, big)
    if key not in _TEMPLATES:
        folder = Path(tempfile.mkdtemp(prefix="regie-fleet-"))
        template = folder / f"fleet-{terminals}-{int(big)}.sqlite3"
        built = _build_fleet(f"sqlite:///{template}", terminals, big)
        with built.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        built.dispose()
        _TEMPLATES[key] = template
    shutil.copyfile(_TEMPLATES[key], target)
    return Database(url)


def _build_fleet(url: str, terminals: int, big: bool) -> Database:
    db = Database(url)
    db.upgrade()
    with db.session() as session:
        owner = Organisation(short_name="CCC", name="Coopérative Code Commun")
        category = AssetCategory(name="Terminal de caisse")
        session.add_all([owner, category])
        session.flush()
        model = AssetModel(
            name="Sunmi V2s",
            manufacturer="Sunmi",
            category_id=category.id,
            tracking=Tracking.SERIAL,
            amortisation_months=36,
        )
        session.add(model)
        session.flush()
        update_settings(
            session,
            event_name="MamaStock 2026",
            wifi_ssid="MamaStock-Caisses",
            wifi_password="secret-wifi",
            server_url="https://tibillet.example",
        )
        for pos in POINTS_OF_SALE:
            place = PointOfSale(name=pos)
            session.add(place)
            session.flush()
            session.add_all(
                MenuItem(
                    pos_id=place.id,
                    position=n,
                    product=name,
                    category=category_name,
                    price_cents=unit,
                    vat_bp=vat,
                )
                for n, (name, unit, vat, category_name) in enumerate(PRODUCTS, 1)
            )
        for number in range(1, terminals + 1):
            tag = f"CCC-V2S-{number:03d}"
            session.add(
                Asset(
                    tag=tag,
                    serial_number=serial_of(number),
                    model_id=model.id,
                    owner_id=owner.id,
                    purchase_cost_cents=30000,
                )
            )
            session.flush()
            register_terminal(
                session,
                tag,
                name=f"SUNMI-V2S-{number:03d}",
                pos=POINTS_OF_SALE[(number - 1) % len(POINTS_OF_SALE)],
            )
    if big:
        big_event(db)
    return db


def add_cards(session: Session, count: int, prefix: str = "C", state: str = "active") -> list[str]:
    """``count`` cards with chips, in one batch; their printed numbers."""
    owner = session.scalars(sa.select(Organisation)).first()
    assert owner is not None
    lines = []
    for n in range(count):
        qr = str(uuid.UUID(int=ord(prefix) << 64 | n))
        uid = f"{ord(prefix):02X}{n:06X}A1B2C3"  # unique first 4 bytes (TiBillet's tag_id)
        lines.append(
            FactoryLine(n + 1, f"https://x.example/qr/{qr}", qr, f"{prefix}{n:07X}", uid, uid[:8])
        )
    batch = create_batch(session, lines, name=f"lot {prefix}", owner=owner, lot=None, source="t")
    if state != "active":  # set in bulk: a block list of 17,000 cards in a second
        session.execute(sa.update(Card).where(Card.batch_id == batch.id).values(state=state))
    session.flush()
    return [line.number for line in lines]


def big_event(db: Database, pos: str = "Bar Nord") -> None:
    """A block list of 17,000 lost cards and 500 products on one point of sale."""
    with db.session() as session:
        add_cards(session, 17_000, prefix="L", state="lost")
        place = session.scalars(sa.select(PointOfSale.id).where(PointOfSale.name == pos)).one()
        session.execute(
            sa.insert(MenuItem),
            [
                {
                    "pos_id": place,
                    "position": 100 + n,
                    "product": f"Produit n°{n:03d} du menu",
                    "category": f"Rayon {n // 50}",
                    "price_cents": 100 + n * 5,
                    "vat_bp": (550, 1000, 2000)[n % 3],
                }
                for n in range(500 - len(PRODUCTS))
            ],
        )


def serial_of(number: int) -> str:
    """The serial number the inventory records for terminal ``number`` (1, 2…)."""
    return f"V2S{2409000 + number}"


@contextlib.contextmanager
def pairing_keyring(path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The OS keyring's stand-in (a JSON file) where pairing keeps the terminals' secrets: in
    this process and in the ``regie`` processes the tests start."""
    import keyring

    from tests.rig.keyring_file import FileKeyring

    previous = keyring.get_keyring()  # chosen before the file is named: not the file one
    monkeypatch.setenv("REGIE_TEST_KEYRING", str(path))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.rig.keyring_file.FileKeyring")
    keyring.set_keyring(FileKeyring())
    try:
        yield path
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def cable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cable]:
    """A pty pair, and a keyring for the terminals paired over it."""
    line = Cable(tmp_path / "cable")
    with pairing_keyring(tmp_path / "keyring.json", monkeypatch):
        yield line
    line.close()


@contextlib.contextmanager
def agent_on(port: str, state: Path, *args: str, **kwargs: Any) -> Iterator[Agent]:
    agent = Agent(port, state, *args, **kwargs)
    try:
        yield agent
    finally:
        agent.stop()


# -- the rig's own tests -------------------------------------------------------------------------
def test_a_cable_pulled_and_plugged_back_carries_bytes_again(tmp_path: Path) -> None:
    line = Cable(tmp_path / "c")
    try:
        for _ in range(2):
            a, b = (
                os.open(line.a, os.O_RDWR | os.O_NOCTTY),
                os.open(line.b, os.O_RDWR | os.O_NOCTTY),
            )
            os.write(a, b"ping")
            assert os.read(b, 4) == b"ping"
            os.close(a)
            os.close(b)
            line.pull()
            assert not os.path.exists(line.a) or not os.path.exists(os.path.realpath(line.a))
            line.plug()
    finally:
        line.close()


def test_the_relay_passes_bytes_and_damages_only_what_it_is_told(tmp_path: Path) -> None:
    left, right = Cable(tmp_path / "l"), Cable(tmp_path / "r")
    relay = Relay(left.b, right.a)
    a = os.open(left.a, os.O_RDWR | os.O_NOCTTY)
    b = os.open(right.b, os.O_RDWR | os.O_NOCTTY)
    try:
        from regie.terminals.frames import Decoder, Frame, encode

        relay.inject(True, b"\x00garbage\xa5")
        relay.damage(True, Kind.CHUNK)
        stream = encode(Kind.HELLO, 1, b"{}") + encode(Kind.CHUNK, 2, b"\0" * 40)
        stream += encode(Kind.CHUNK, 3, b"\0" * 40)
        os.write(a, stream)
        decoder, got = Decoder(), []
        deadline = time.monotonic() + 5
        while len(got) < 3 and time.monotonic() < deadline:
            if select.select([b], [], [], 0.1)[0]:
                got += decoder.feed(os.read(b, 4096))
        assert [type(item).__name__ for item in got] == ["Frame", "Damaged", "Frame"]
        assert isinstance(got[2], Frame) and got[2].exchange == 3
        assert decoder.noise >= 8
    finally:
        relay.stop()
        os.close(a)
        os.close(b)
        left.close()
        right.close()
