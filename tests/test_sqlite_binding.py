"""What Régie's SQLite connections store for the values Python's sqlite3 adapts: a chain hash
(bytes) stays a blob of the same bytes, None stays NULL (regie/db.py registers adapters that
give them back, to spare the look-up a big import paid for every transfer)."""

from __future__ import annotations

from pathlib import Path

from regie.db import Database


def test_bytes_are_stored_as_the_same_blob_and_none_as_null(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'binding.sqlite3'}")
    hash_ = bytes(range(256))  # every byte value, a NUL among them
    with db.session() as session:
        raw = session.connection().connection.driver_connection
        assert raw is not None
        raw.execute("CREATE TABLE kept (b BLOB, n INTEGER, a BLOB)")
        raw.executemany(
            "INSERT INTO kept VALUES (?, ?, ?)",
            [(hash_, None, bytearray(b"\x00x")), (b"", None, bytearray())],
        )
        rows = raw.execute(
            "SELECT b, typeof(b), n, typeof(n), a, typeof(a) FROM kept ORDER BY rowid"
        ).fetchall()
    assert rows == [
        (hash_, "blob", None, "null", b"\x00x", "blob"),
        (b"", "blob", None, "null", b"", "blob"),
    ]
    db.dispose()
