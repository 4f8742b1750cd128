"""Fuzzing Stripe's payout reconciliation report (CSV): whatever a cell holds, the report is
imported whole or refused naming file, line and column, and nothing of it is kept."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st

from regie.db import Database
from regie.errors import UserError
from regie.settlement.models import StripeBalanceTransaction
from regie.settlement.stripe_report import ReportRejected, import_report
from tests.fuzz_support import EDGE_INTS, NASTY_TEXTS, cases, fuzz_settings, is_clear, rows

REPORT = Path(__file__).parent / "data" / "stripe" / "payout_reconciliation_itemized.csv"
ROWS = list(csv.reader(io.StringIO(REPORT.read_text("utf-8"))))
PROBLEM = re.compile(r"^(?P<path>.+), ligne (?P<line>\d+)(, colonne (?P<column>\S+))? : ")


@st.composite
def report(draw: st.DrawFn) -> bytes:
    """The recorded report with a few cells changed, maybe a row cut or one added."""
    rows = [list(row) for row in ROWS]
    for _change in range(draw(st.integers(min_value=1, max_value=3))):
        row = rows[draw(st.integers(min_value=0, max_value=len(rows) - 1))]
        kind = draw(st.integers(min_value=0, max_value=5))
        if kind == 0:
            row.append(draw(NASTY_TEXTS))
        elif kind == 1 and row:
            row.pop()
        else:
            cell = draw(st.integers(min_value=0, max_value=len(row) - 1)) if row else 0
            value = draw(NASTY_TEXTS | EDGE_INTS.map(str) | st.sampled_from(["1e3", "2.005"]))
            row[cell : cell + 1] = [value]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8", "surrogatepass")


def test_a_stripe_report_is_imported_whole_or_refused_cell_by_cell(
    ledger: Database, tmp_path: Path
) -> None:
    examples = cases(ledger, 60)

    @fuzz_settings(examples)
    @given(content=report() | st.binary(max_size=80))
    @example(content=REPORT.read_bytes().replace(b",30.00,", b",1E300000,", 1))
    @example(content=REPORT.read_bytes().replace(b",30.00,", b",\xc2\xb2,", 1))
    @example(content=REPORT.read_bytes().replace(b",eur,", b",euros,", 1))
    @example(content=REPORT.read_bytes().replace(b"txn_", b"txn_\x00", 1))
    @example(content=REPORT.read_bytes() + b'"' + b"x" * 140_000 + b'"\n')
    def one_file(content: bytes) -> None:
        path = tmp_path / "rapport.csv"
        path.write_bytes(content)
        before = rows(ledger, StripeBalanceTransaction)
        try:
            import_report(ledger, path)
        except ReportRejected as rejected:
            *problems, _nothing = str(rejected).splitlines()
            for problem in problems:
                if problem.startswith("…"):
                    continue
                where = PROBLEM.match(problem)
                assert where and where["path"] == str(path) and where["column"], problem
            assert rows(ledger, StripeBalanceTransaction) == before
        except UserError as refused:  # not UTF-8, not the report, unreadable CSV
            assert is_clear(refused) and str(path) in str(refused)
            assert rows(ledger, StripeBalanceTransaction) == before

    one_file()
