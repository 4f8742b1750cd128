"""Importing terminal journals: every cent accounted for, nothing twice, nothing half."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from sqlalchemy import func, select

from regie.db import Database
from regie.ledger.desk import balances_of
from regie.ledger.entries import Entry, Leg
from regie.ledger.journal_import import JournalRejected, import_journals
from regie.ledger.journal_lines import BLOCK_BYTES
from regie.ledger.journal_mapper import MAPPER_ENV
from regie.ledger.models import Transfer
from regie.ledger.posting import post_entries
from regie.ledger.reports import balances, sales, topups_by_method, totals_by_asset
from regie.ledger.verify import verify
from tests.ledger_fixtures import festival_file, import_file, line, sale, topup, write_lines

CARD = "04A1B2C3D4E5F6"


def transfer_count(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Transfer)) or 0


def test_a_festival_imports_balanced_and_verifiable(ledger: Database, tmp_path: Path) -> None:
    result = import_file(ledger, festival_file(tmp_path))
    assert result.imported > 2900 and result.problems == []  # type: ignore[attr-defined]
    with ledger.session() as session:
        assert set(totals_by_asset(session).values()) == {0}  # every asset sums to zero
        wallets = balances(session, account="wallet:")
        assert wallets and min(row.amount for row in wallets) > 0
        report = verify(session)
    assert report.ok, report.problems
    assert report.transfers == transfer_count(ledger)


def test_importing_the_same_journal_twice_changes_nothing(ledger: Database, tmp_path: Path) -> None:
    path = festival_file(tmp_path, 1500, 200)
    first = import_file(ledger, path)
    count = transfer_count(ledger)
    again = import_file(ledger, path)
    assert again.imported == 0  # type: ignore[attr-defined]
    assert again.replayed == first.imported  # type: ignore[attr-defined]
    assert transfer_count(ledger) == count


def test_same_key_with_other_content_is_a_conflict_and_nothing_is_imported(
    ledger: Database, tmp_path: Path
) -> None:
    import_file(ledger, write_lines(tmp_path / "a.jsonl", [topup(1, CARD, 2000)]))
    changed = write_lines(
        tmp_path / "b.jsonl", [topup(2, CARD, 500), topup(1, CARD, 9999), sale(3, CARD, 300)]
    )
    with pytest.raises(JournalRejected) as rejected, ledger.session() as session:
        import_journals(session, [changed])
    assert str(rejected.value).splitlines()[0] == (
        f"{changed}, ligne 2 : SUNMI-V2S-07 n°1 existe déjà avec un autre contenu (conflit)"
    )
    with ledger.session() as session:
        assert balances_of(session, CARD) == {"EUR": 2000}  # lines 1 and 3 were not kept


def test_every_bad_line_is_named_with_its_field(ledger: Database, tmp_path: Path) -> None:
    path = tmp_path / "mauvais.jsonl"
    bad_sale = sale(4, CARD, 450)
    bad_sale["lines"][0]["unit"] = 400
    path.write_text(
        '{"v":1,"terminal":"T","seq":1,"at":"2026-07-12T21:04:33+02:00","op":"topup",'
        '"pos":"Caisse","card":"04A1","asset":"EUR","amount":100,"pay":"cash"}\n'
        "pas du json\n"
        + write_lines(tmp_path / "x", [topup(3, CARD, -5), bad_sale]).read_text()
        + '{"v":2}\n'
        '{"v":1,"terminal":"T","seq":9,"at":"2026-07-12 21:04","op":"sale"}\n'
        + write_lines(tmp_path / "y", [topup(7, CARD, 100, pay="cheque")]).read_text(),
        encoding="utf-8",
    )
    with pytest.raises(JournalRejected) as rejected, ledger.session() as session:
        import_journals(session, [path])
    where = [(p.line, p.field) for p in rejected.value.result.problems]
    assert where == [
        (1, "card"),
        (2, ""),
        (3, "amount"),
        (4, "amount"),
        (5, "v"),
        (6, "at"),
        (7, "pay"),
    ]
    text = str(rejected.value)
    assert f"{path}, ligne 4, champ amount : 450 ≠ somme des articles 400" in text
    assert text.endswith("Rien n'a été importé.")
    assert transfer_count(ledger) == 0


@pytest.mark.parametrize("poster", ["inline", "process"])
def test_a_line_with_a_character_the_checks_must_read_is_theirs_in_any_block(
    ledger: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, poster: str
) -> None:
    """The tight loop looks for escapes and control characters once per block of lines
    (journal_fast.unusual): a block that holds one sends its lines to the look, one by one."""
    monkeypatch.setenv(MAPPER_ENV, poster)  # one process, or a second that posts
    raws = festival_file(tmp_path).read_bytes().splitlines(keepends=True)
    assert sum(map(len, raws)) > 2 * BLOCK_BYTES  # the lines below are in the third block
    sold = [n for n, raw in enumerate(raws) if b'"op":"sale"' in raw and n > 2600]

    def changed(into: str, marks: dict[int, bytes]) -> Path:
        path = tmp_path / into
        lines = list(raws)
        for n, mark in marks.items():
            lines[n] = lines[n].replace(b'"product":"', b'"product":"' + mark, 1)
        path.write_bytes(b"".join(lines))
        return path

    # a C1 control (U+0085, raw UTF-8): msgspec takes it, the checks refuse it
    bad = changed("c1.jsonl", {sold[0]: "\u0085".encode()})
    with pytest.raises(JournalRejected) as rejected, ledger.session() as session:
        import_journals(session, [bad])
    [problem] = rejected.value.result.problems
    assert (problem.line, problem.field) == (sold[0] + 1, "lines[1].product")
    assert transfer_count(ledger) == 0
    # « ° » (\xc2\xb0) and an escaped quote: both accepted, the names as written
    good = changed("ok.jsonl", {sold[1]: "°".encode(), sold[2]: b'\\"'})
    result = import_file(ledger, good)
    assert result.problems == []  # type: ignore[attr-defined]
    with ledger.session() as session:
        names = {row.key for row in sales(session, "product")}
    marked = [orjson.loads(raws[n])["lines"][0]["product"] for n in sold[1:3]]
    assert {"°" + marked[0], '"' + marked[1]} <= names


def funded(card: str, cents: int) -> Entry:
    """A top-up of ``card``'s wallet posted at the desk's level, no line checked."""
    legs = (Leg("pos:Caisse centrale:cash", f"wallet:{card}", "EUR", cents),)
    return Entry("SUNMI-CAISSE", "topup", "cash", at=1, tz_minutes=120, legs=legs, seq=1)


@pytest.mark.parametrize("poster", ["inline", "process"])
def test_a_card_that_is_no_uid_is_refused_whatever_the_operation(
    ledger: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, poster: str
) -> None:
    """Cards of a UID's length, not a UID (5 or 6 bytes, a « G »): the look at a card is made
    once per card (journal_fast.wallet_of), the checks word the refusal each time."""
    monkeypatch.setenv(MAPPER_ENV, poster)
    with ledger.session() as session:  # a wallet under a name no UID gives, with money on it
        post_entries(session, [funded("04A1B2C3D4E5", 1000)])
    path = write_lines(
        tmp_path / "cartes.jsonl",
        [
            topup(1, "04A1B2C3D4", 300),
            line(2, "refund", card="04A1B2C3G4E5F6", asset="EUR", amount=100, pay="cash"),
            sale(3, "04A1B2C3D4E5", 300),
            sale(4, "04A1B2C3D4", 300) | {"pay": "cash"},  # a cash sale: its card is not read
            topup(5, "04A1B2C3D4", 300),  # the same card again
            topup(6, "\ufb00\ufb00\ufb0000000000", 300),  # « ﬀ » in capitals is « FF »
        ],
    )
    with pytest.raises(JournalRejected) as rejected, ledger.session() as session:
        import_journals(session, [path])
    where = [(p.line, p.field) for p in rejected.value.result.problems]
    assert where == [(1, "card"), (2, "card"), (3, "card"), (5, "card"), (6, "card")]
    assert "UID hexadécimal de 4, 7 ou 10 octets attendu (lu « 04A1B2C3D4 »)" in str(rejected.value)
    assert transfer_count(ledger) == 1  # the desk's top-up alone


@pytest.mark.parametrize("poster", ["inline", "process"])
def test_a_basket_nested_a_thousand_deep_is_refused_with_its_field(
    ledger: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, poster: str
) -> None:
    monkeypatch.setenv(MAPPER_ENV, poster)
    deep = sale(2, CARD, 300) | {"pay": "cash"}
    path = write_lines(tmp_path / "profond.jsonl", [topup(1, CARD, 500), deep])
    text = path.read_text(encoding="utf-8")
    start = text.index('"lines":') + len('"lines":')
    end = text.index("]", start) + 1  # the basket: one article, no list inside
    path.write_text(text[:start] + "[" * 1000 + "]" * 1000 + text[end:], encoding="utf-8")
    with pytest.raises(JournalRejected) as rejected, ledger.session() as session:
        import_journals(session, [path])
    where = [(p.line, p.field) for p in rejected.value.result.problems]
    assert where == [(2, "lines[1]")]
    assert transfer_count(ledger) == 0


def test_a_wallet_never_goes_negative(ledger: Database, tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "j.jsonl", [topup(1, CARD, 500), sale(2, CARD, 450), sale(3, CARD, 100)]
    )
    with pytest.raises(JournalRejected) as rejected, ledger.session() as session:
        import_journals(session, [path])
    assert "ligne 3" in str(rejected.value)
    assert (
        "solde insuffisant sur Carte 04A1B2C3D4E5F6 : 0,50\xa0€, il en faudrait 1,00\xa0€"
        in str(rejected.value)
    )
    assert transfer_count(ledger) == 0


def test_a_split_payment_commits_all_its_legs_or_none(ledger: Database, tmp_path: Path) -> None:
    split = sale(
        4, CARD, 800, payments=[{"asset": "GIFT", "amount": 300}, {"asset": "EUR", "amount": 500}]
    )
    ok = write_lines(
        tmp_path / "ok.jsonl", [topup(1, CARD, 300, "GIFT", "offered"), topup(2, CARD, 1000), split]
    )
    import_file(ledger, ok)
    with ledger.session() as session:
        assert balances_of(session, CARD) == {"EUR": 500}
    too_much = sale(
        5, CARD, 900, payments=[{"asset": "FED", "amount": 400}, {"asset": "EUR", "amount": 500}]
    )
    with pytest.raises(JournalRejected), ledger.session() as session:
        import_journals(session, [write_lines(tmp_path / "no.jsonl", [too_much])])
    with ledger.session() as session:
        assert balances_of(session, CARD) == {"EUR": 500}  # the EUR leg did not go through


def test_a_void_reverses_its_sale_once(ledger: Database, tmp_path: Path) -> None:
    from tests.ledger_fixtures import line

    import_file(
        ledger,
        write_lines(
            tmp_path / "a.jsonl", [topup(1, CARD, 1000), sale(2, CARD, 600), line(3, "void", ref=2)]
        ),
    )
    with ledger.session() as session:
        assert balances_of(session, CARD) == {"EUR": 1000}
        assert [(r.key, r.amount) for r in sales(session, "pos")] == [("Bar Nord", 0)]
    twice = write_lines(tmp_path / "b.jsonl", [line(4, "void", ref=2), line(5, "void", ref=99)])
    with pytest.raises(JournalRejected) as rejected, ledger.session() as session:
        import_journals(session, [twice])
    problems = [(p.line, p.field, p.message) for p in rejected.value.result.problems]
    assert problems == [
        (1, "ref", "l'opération n°2 est déjà annulée"),  # voided by the earlier import
        (2, "ref", "aucune opération n°99 de SUNMI-V2S-07 à annuler"),
    ]
    same_file = write_lines(
        tmp_path / "c.jsonl",
        [topup(6, CARD, 500), sale(7, CARD, 300), line(8, "void", ref=7), line(9, "void", ref=7)],
    )
    with pytest.raises(JournalRejected) as rejected, ledger.session() as session:
        import_journals(session, [same_file])
    assert [(p.line, p.field) for p in rejected.value.result.problems] == [(4, "ref")]


def test_reports_by_method_and_vat(ledger: Database, tmp_path: Path) -> None:
    stripe = topup(4, "04AABBCCDDEEFF", 500, "FED", "stripe_terminal")
    stripe["payment_intent"] = "pi_3Nabc"
    journal = [topup(1, CARD, 2000, pay="card"), topup(2, CARD, 1000), sale(3, CARD, 450), stripe]
    import_file(ledger, write_lines(tmp_path / "a.jsonl", journal))
    with ledger.session() as session:
        assert topups_by_method(session) == [
            ("card", "EUR", 1, 2000),
            ("cash", "EUR", 1, 1000),
            ("stripe_terminal", "FED", 1, 500),
        ]
        assert [(r.key, r.quantity, r.amount) for r in sales(session, "vat")] == [("2000", 1, 450)]
        assert [r.key for r in sales(session, "hour")] == ["2026-07-12T21"]  # local time


def test_products_and_points_of_sale_read_in_alphabetical_order(
    ledger: Database, tmp_path: Path
) -> None:
    """« Écocup » among the E, not after « Verre de vin » (as bytes sort); « bar » with « Bar »."""
    journal = [topup(1, CARD, 5000)]
    for seq, (pos, product) in enumerate(
        [("Zinc", "Verre de vin"), ("bar du Bois", "Écocup"), ("Buvette", "Bière 25cl")], 2
    ):
        line = sale(seq, CARD, 300, pos=pos)
        line["lines"][0]["product"] = product
        journal.append(line)
    import_file(ledger, write_lines(tmp_path / "a.jsonl", journal))
    with ledger.session() as session:
        products = [r.key for r in sales(session, "product")]
        assert products == ["Bière 25cl", "Écocup", "Verre de vin"]
        assert [r.key for r in sales(session, "pos")] == ["bar du Bois", "Buvette", "Zinc"]


def test_cancelled_import_leaves_nothing(ledger: Database, tmp_path: Path) -> None:
    from regie.ledger.journal_import import ImportCancelled

    path = festival_file(tmp_path, 12000, 500)
    calls = []

    def progress(done: int, total: int) -> bool:
        calls.append(done)
        return len(calls) < 2  # the user presses Cancel at the second report

    with pytest.raises(ImportCancelled), ledger.session() as session:
        import_journals(session, [path], progress)
    assert transfer_count(ledger) == 0
    assert len(calls) == 2
