"""The test rig really starts each service (tests/rig/services.py, fixtures in conftest.py)."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest
import serial
import sqlalchemy as sa
import stripe

from tests.rig import services
from tests.rig.services import LocalStripe, PcscdHandle, PostgresCluster, PtyPair, XvfbDisplay


def listening_addresses(port: int) -> set[str]:
    """IPv4/IPv6 addresses with a TCP socket LISTENing on ``port`` (from /proc/net/tcp*)."""
    found: set[str] = set()
    for table, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            addr_hex, port_hex = local.split(":")
            if state != "0A" or int(port_hex, 16) != port:
                continue
            raw = bytes.fromhex(addr_hex)
            # The kernel prints each 32-bit word in host (little-endian) order.
            raw = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
            found.add(socket.inet_ntop(family, raw))
    return found


# --------------------------------------------------------------------------------------------
# pcscd


@pytest.mark.pcsc
def test_pcscd_lists_the_virtual_readers(pcscd: PcscdHandle) -> None:
    from smartcard.System import readers

    names = [str(r) for r in readers()]
    assert "Virtual PCD 00 00" in names
    assert "Virtual PCD 00 01" in names
    assert services.VIRTUAL_READER in pcscd.readers
    assert services.pcscd_accepts(pcscd.socket_path)


# --------------------------------------------------------------------------------------------
# Serial pty pair


def test_pty_round_trip_then_pulled_cable(pty_pair: PtyPair) -> None:
    # Open both ends before writing: pyserial's open() flushes pending input.
    with (
        serial.Serial(pty_pair.a, 115200, timeout=1) as a,
        serial.Serial(pty_pair.b, 115200, timeout=1) as b,
    ):
        a.write(b"\x02PING\x03")
        assert b.read(6) == b"\x02PING\x03"
        b.write(bytes(range(256)))  # raw mode: every byte value passes untouched
        assert a.read(256) == bytes(range(256))

        pty_pair.kill()
        assert not pty_pair.alive
        # What really happens on Linux once socat closed the pty masters: writes fail with
        # EIO, reads see a hang-up (readable, 0 bytes), and the links are gone.
        with pytest.raises(serial.SerialException, match="Input/output error"):
            a.write(b"x")
        with pytest.raises(serial.SerialException, match="disconnected"):
            a.read(1)
        assert not os.path.lexists(pty_pair.a)
        assert not os.path.lexists(pty_pair.b)


# --------------------------------------------------------------------------------------------
# localstripe


@pytest.mark.stripe
def test_localstripe_listens_on_loopback_only(localstripe: LocalStripe) -> None:
    assert localstripe.url == f"http://127.0.0.1:{localstripe.port}"
    assert listening_addresses(localstripe.port) == {"127.0.0.1"}


@pytest.mark.stripe
def test_localstripe_payment_refund_and_balance(stripe_api: None) -> None:
    pickle = Path("/tmp/localstripe.pickle")
    before = pickle.stat().st_mtime_ns if pickle.exists() else None

    intent = stripe.PaymentIntent.create(
        amount=2500, currency="eur", payment_method="pm_card_visa", confirm=True
    )
    if intent.status == "requires_capture":
        intent = stripe.PaymentIntent.capture(intent.id)
    assert intent.status == "succeeded"
    assert intent.amount == 2500

    refund = stripe.Refund.create(payment_intent=intent.id, amount=1000)
    assert refund.object == "refund"
    assert refund.amount == 1000
    assert refund.currency == "eur"
    assert refund.status == "succeeded"
    assert refund.payment_intent == intent.id

    # stripe 16 objects are not dicts: attribute access or .to_dict().
    # localstripe returns latest_charge expanded (real Stripe: an id unless expanded).
    assert isinstance(refund.charge, str)
    charge = stripe.Charge.retrieve(refund.charge)
    assert charge.amount == 2500
    assert charge.amount_refunded == 1000
    assert charge.refunded is False  # partial refund
    assert charge.refunds is not None
    assert [r.id for r in charge.refunds.data] == [refund.id]
    refreshed = stripe.PaymentIntent.retrieve(intent.id).to_dict()
    assert refreshed["latest_charge"]["amount_refunded"] == 1000

    ours = {charge.balance_transaction, refund.balance_transaction}
    txns = [t for t in stripe.BalanceTransaction.list(limit=100).data if t.id in ours]
    assert sorted((t.type, t.amount) for t in txns) == [("charge", 2500), ("refund", -1000)]

    after = pickle.stat().st_mtime_ns if pickle.exists() else None
    assert after == before, "the launcher must not write /tmp/localstripe.pickle"


@pytest.mark.stripe
def test_localstripe_stop_and_restart_on_same_url(
    localstripe: LocalStripe, stripe_api: None
) -> None:
    url = localstripe.url
    customer = stripe.Customer.create(email="caisse@example.org")

    localstripe.stop()
    try:
        assert not localstripe.running
        with pytest.raises(stripe.APIConnectionError):
            stripe.Customer.list()
    finally:
        localstripe.start()

    assert localstripe.url == url
    assert stripe.Customer.create(email="bar@example.org").email == "bar@example.org"
    # Documented behaviour: the restarted server is empty (state is in memory only).
    with pytest.raises(stripe.InvalidRequestError):
        stripe.Customer.retrieve(customer.id)


# --------------------------------------------------------------------------------------------
# PostgreSQL


@pytest.mark.postgres
def test_postgres_cluster_and_fresh_databases(postgres: PostgresCluster) -> None:
    assert listening_addresses(postgres.port) == {"127.0.0.1"}
    url_1, url_2 = postgres.create_database(), postgres.create_database()
    assert url_1 != url_2
    assert url_1.startswith(f"postgresql+psycopg://postgres@127.0.0.1:{postgres.port}/")

    engine_1, engine_2 = sa.create_engine(url_1), sa.create_engine(url_2)
    try:
        with engine_1.begin() as conn:
            assert conn.scalar(sa.text("select version()")).startswith("PostgreSQL ")
            assert sa.inspect(conn).get_table_names() == []
            conn.execute(sa.text("create table only_in_one (id int)"))
        with engine_2.connect() as conn:
            assert conn.scalar(sa.text("select current_database()")) == url_2.rsplit("/", 1)[1]
            assert sa.inspect(conn).get_table_names() == []
    finally:
        engine_1.dispose()
        engine_2.dispose()


def test_db_url_round_trip(db_url: str) -> None:
    engine = sa.create_engine(db_url)
    try:
        metadata = sa.MetaData()
        items = sa.Table(
            "items",
            metadata,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("label", sa.String(50), nullable=False),
        )
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(items.insert(), [{"id": 1, "label": "Bière 25 cl"}])
        with engine.connect() as conn:
            assert conn.execute(sa.select(items.c.label)).scalars().all() == ["Bière 25 cl"]
        assert engine.dialect.name == db_url.split(":", 1)[0].split("+", 1)[0]
    finally:
        engine.dispose()


# --------------------------------------------------------------------------------------------
# Xvfb


def test_xvfb_display_answers(xvfb: XvfbDisplay) -> None:
    assert os.environ["DISPLAY"] == xvfb.display == f":{xvfb.number}"
    assert os.environ["QT_QPA_PLATFORM"] == "xcb"
    xdpyinfo = services.find_binary("xdpyinfo", "x11-utils")
    result = subprocess.run(
        [xdpyinfo, "-display", xvfb.display],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "1280x800 pixels" in result.stdout
    assert "depth of root window:    24 planes" in result.stdout


def test_artifacts_dir_exists(artifacts: Path) -> None:
    assert artifacts == services.REPO_ROOT / "artifacts"
    assert artifacts.is_dir()
