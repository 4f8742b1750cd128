"""The device manager and its reader backends, on the real pcscd + vpcd rig."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from regie.devices.manager import DeviceManager
from regie.devices.pcsc import PcscBackend
from regie.devices.readers import ReaderEvent, ReaderEventKind
from regie.devices.simulated import SIMULATED_READER, SimulatedBackend
from tests.rig.vcard import VirtualCard

REPO = Path(__file__).resolve().parents[1]
READER_0 = "Virtual PCD 00 00"
READER_1 = "Virtual PCD 00 01"


def wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def test_simulated_reader_reports_a_card_tapped_and_lifted() -> None:
    backend = SimulatedBackend()
    manager = DeviceManager([backend])
    seen: list[ReaderEventKind] = []
    manager.subscribe(lambda event: seen.append(event.kind))
    manager.start()
    assert SIMULATED_READER in manager.state.readers
    backend.tap(bytes.fromhex("04A1B2C3D4E5F6"))
    reader = manager.state.readers[SIMULATED_READER]
    assert reader.card_present and reader.uid.hex().upper() == "04A1B2C3D4E5F6"
    backend.lift()
    assert not manager.state.readers[SIMULATED_READER].card_present
    manager.stop()
    assert SIMULATED_READER not in manager.state.readers
    assert seen == [
        ReaderEventKind.READER_ADDED,
        ReaderEventKind.CARD_INSERTED,
        ReaderEventKind.CARD_REMOVED,
        ReaderEventKind.READER_REMOVED,
    ]


def test_a_failing_listener_does_not_silence_the_others() -> None:
    backend = SimulatedBackend()
    manager = DeviceManager([backend])
    seen: list[ReaderEvent] = []

    def broken(_event: ReaderEvent) -> None:
        raise RuntimeError("écran fermé")

    manager.subscribe(broken)
    manager.subscribe(seen.append)
    manager.start()
    backend.tap(b"\x01\x02\x03\x04")
    assert [event.kind for event in seen][-1] == ReaderEventKind.CARD_INSERTED


def test_events_from_a_device_thread_reach_listeners_on_the_loop_thread() -> None:
    loop = asyncio.new_event_loop()
    backend = SimulatedBackend()
    manager = DeviceManager([backend], loop=loop)
    threads: list[int] = []
    manager.subscribe(lambda _event: threads.append(threading.get_ident()))

    async def scenario() -> None:
        worker = threading.Thread(
            target=lambda: (manager.start(), backend.tap(b"\x0a\x0b\x0c\x0d"))
        )
        worker.start()
        worker.join()
        await asyncio.sleep(0.05)

    try:
        loop.run_until_complete(scenario())
    finally:
        loop.close()
    assert len(threads) == 2
    assert set(threads) == {threading.get_ident()}


@pytest.fixture
def pcsc_manager(pcscd: object) -> Iterator[tuple[DeviceManager, list[ReaderEvent]]]:
    manager = DeviceManager([PcscBackend()])
    events: list[ReaderEvent] = []
    manager.subscribe(events.append)
    manager.start()
    try:
        # vpcd's two slots come up one after the other: both are waited for (the tests use
        # both; on a busy machine the second was once not there yet).
        wait_for(lambda: {READER_0, READER_1} <= set(manager.state.readers))
        yield manager, events
    finally:
        manager.stop()


def test_pcsc_backend_sees_a_real_card_inserted_and_removed(
    pcsc_manager: tuple[DeviceManager, list[ReaderEvent]],
) -> None:
    manager, events = pcsc_manager
    assert manager.state.service_up is True
    assert {READER_0, READER_1} <= set(manager.state.readers)
    uid = bytes.fromhex("04A1B2C3D4E5F6")
    with VirtualCard(kind="ntag215", uid=uid, port=35963):
        wait_for(lambda: manager.state.readers[READER_0].card_present)
        reader = manager.state.readers[READER_0]
        assert reader.uid == uid  # the full 7-byte UID, not TiBillet's first 4 bytes
        assert reader.atr.hex().upper() == "3B8F8001804F0CA0000003060300030000000068"
        assert not manager.state.readers[READER_1].card_present
    wait_for(lambda: not manager.state.readers[READER_0].card_present)
    kinds = [(e.kind, e.reader) for e in events if e.reader == READER_0]
    assert kinds[-2:] == [
        (ReaderEventKind.CARD_INSERTED, READER_0),
        (ReaderEventKind.CARD_REMOVED, READER_0),
    ]


def test_pcsc_backend_follows_two_readers_at_once(
    pcsc_manager: tuple[DeviceManager, list[ReaderEvent]],
) -> None:
    manager, _events = pcsc_manager
    ntag = VirtualCard(kind="ntag213", port=35963)
    classic = VirtualCard(kind="mifare_classic", uid=bytes.fromhex("A24B043F"), port=35964)
    with ntag, classic:
        wait_for(
            lambda: (
                manager.state.readers[READER_0].card_present
                and manager.state.readers[READER_1].card_present
            )
        )
        assert manager.state.readers[READER_1].uid == bytes.fromhex("A24B043F")
        assert len(manager.state.readers[READER_0].uid) == 7


def test_pcsc_backend_reports_a_missing_pcscd_and_keeps_trying(tmp_path: Path) -> None:
    # In a separate process: the PC/SC library reads its socket path once per process.
    script = (
        "import time\n"
        "from regie.devices.manager import DeviceManager\n"
        "from regie.devices.pcsc import PcscBackend\n"
        "m = DeviceManager([PcscBackend()])\n"
        "m.subscribe(lambda e: print(e.kind.value, e.detail, flush=True))\n"
        "m.start(); time.sleep(2.5); m.stop()\n"
        "print('alive', m.state.service_up)\n"
    )
    env = {
        **os.environ,
        "PCSCLITE_CSOCK_NAME": str(tmp_path / "nobody.comm"),
        "PYTHONPATH": str(REPO),
    }
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=30
    )
    lines = result.stdout.splitlines()
    assert lines[0] == "service_down le service pcscd ne répond pas"
    assert lines.count("service_down le service pcscd ne répond pas") == 1  # said once, not spammed
    assert lines[-1] == "alive False"
