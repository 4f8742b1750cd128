"""The import's tight loop: the common line read, checked and posted in one step.

Nine lines in ten of a festival's journal are a top-up, a sale paid by one card or at the
till, or a refund, each the next line of its terminal. For those, this loop does in one
function what the general path does through its layers (:func:`journal_mapper.map_line`,
:meth:`JournalImporter._take`, :meth:`Writer.append`): the same decoding and checks
(:mod:`journal_fast`'s structs), the same entry, the same row, the same balances, sales and
idempotency map: a third of the cost. Anything else — a void, a replay or a line out of
order, a split payment, a line that fails a check, a wallet short of money — it leaves
untouched, and the general path posts it or words why not. ``tests/test_import_floor.py``
compares, table for table, the ledger it writes with the one ``Writer.post`` writes.
"""

from __future__ import annotations

from collections.abc import Callable

from msgspec import UNSET

from regie.ledger.books import Books, local_hour
from regie.ledger.entries import Entry, LineValues, pos_account
from regie.ledger.journal_entry import TOPUP_FROM
from regie.ledger.journal_fast import (
    DECODE_ERRORS,
    WALLETS,
    Basket,
    Refund,
    Sale,
    Topup,
    _decoder,
    basket_of,
    unusual,
    wallet_of,
)
from regie.ledger.journal_lines import MAX_LINE_BYTES, moment_of
from regie.ledger.journal_mapper import Signatures, opened
from regie.ledger.journal_result import ImportResult
from regie.ledger.journal_rules import LineRules
from regie.ledger.journal_seen import Seen

# A festival sells the same baskets all night: each different one is read once. (A few
# thousand in the bench festival; the bound keeps a festival of all different ones small.)
MAX_BASKETS = 50_000
BASKET_BYTES = 2_048  # kept up to this size as written: 50,000 of them under 200 MB
_NEW = Basket((), 0, "")  # not read yet


def quick_poster(
    writer: Books,
    rules: LineRules,
    signatures: Signatures,
    seen: Seen,
    result: ImportResult,
    remember: Callable[[str, int, Entry | bytes], None],
) -> Callable[[bytes, bool], bool]:
    """``post(raw, usual)``: True when the line was posted here; False when nothing was touched
    and the general path must take it (a blank line too). ``remember``: the importer's, for
    each line posted."""
    directory = writer.directory
    accounts, assets, points, sources = (
        directory.accounts,
        directory.assets,
        directory.pos,
        directory.sources,
    )
    negative, balances, touched = directory.may_go_negative, writer.balances, writer.touched
    sales, products, rows = writer.sales, writer.products, writer.rows
    event_of = writer.attribution.event_of
    ceiling, gifts, trust = rules.ceiling, rules.gift_assets, rules.trust
    signed = signatures.required
    decode = _decoder.decode
    tills: dict[str, _Till] = {}  # a point of sale → its accounts' names
    terminals = seen.terminals
    baskets: dict[bytes, Basket | None] = {}  # a sale's lines as written → their basket
    wallets = WALLETS  # a card as written → its wallet's account ("": no UID)
    hours: dict[int, str] = {}  # hours since the epoch on the terminal's clock → their text

    def post(raw: bytes, usual: bool) -> bool:
        """``usual``: the line's block holds no character the checks must look at
        (:func:`journal_fast.unusual`); then neither does the line."""
        if signed:
            body, mac = opened(raw)
        else:
            body = raw
        if len(body) > MAX_LINE_BYTES or (not usual and unusual(body)):
            return False
        try:
            line = decode(body)
        except DECODE_ERRORS:
            return False
        kind = type(line)
        if kind is not Topup and kind is not Sale and kind is not Refund:
            return False  # a void: the general path finds what it cancels
        source, pos, text = line.terminal, line.pos, line.at
        if source.isspace() or text.isspace() or pos.isspace() or line.asset.isspace():
            return False
        if signed:
            try:
                signatures.check(body, mac, source)
            except Exception:
                return False
        moment = moment_of(text)
        if moment is None:
            return False
        at, tz = moment
        terminal = terminals.get(source) or seen.of(source)
        seq = line.seq
        known = terminal.seqs
        if known and seq <= known[-1]:
            return False  # a replay, or a line out of order
        method, asset_code, amount, card = line.pay, line.asset.upper(), line.amount, line.card
        wallet = "" if card is UNSET else (wallets.get(card) or wallet_of(card))
        if card is not UNSET and not wallet:
            return False  # no UID (even a cash sale's, which the checks do not read)
        lines: tuple[LineValues, ...] = ()
        details = ""
        till = tills.get(pos)
        if till is None:
            till = tills[pos] = _Till(pos)
        if kind is Topup:
            op = "topup"
            if method == "stripe_terminal":
                if line.payment_intent is UNSET:
                    return False
                debit_name, details = "stripe:clearing", line.payment_intent
            elif method == "offered":
                if asset_code not in gifts:
                    return False
                debit_name = "gift:offered"
            else:
                debit_name = till[TOPUP_FROM[method]]
            credit_name = wallet
        elif kind is Refund:
            op = "refund"
            debit_name, credit_name = wallet, till["cash"]
        else:
            op = "sale"
            written = bytes(line.lines)
            basket = baskets.get(written, _NEW)
            if basket is _NEW:
                basket = basket_of(written)
                if len(written) <= BASKET_BYTES:  # a thousand articles are not kept
                    if len(baskets) >= MAX_BASKETS:
                        baskets.clear()
                    baskets[written] = basket
            if basket is None or basket.total != amount:
                return False
            if method == "cashless":
                if line.payments is not UNSET or card is UNSET:
                    return False  # a split payment, or no card: the general path
                debit_name = wallet
            else:
                debit_name = till[method]
            credit_name = till["revenue"]
            lines, details = basket.lines, basket.details
        if amount > ceiling:
            return False
        if trust is not None:
            trusted = trust.terminals.get(source)
            if trusted is None:
                if trust.signed:
                    return False
            elif pos not in trusted.points_of_sale or (
                op == "refund" and pos not in trusted.refund_points
            ):
                return False
        asset = assets.get(asset_code)
        if asset is None:
            return False  # an asset the ledger does not know: the general path says so
        debit = accounts.get(debit_name) or directory.account(debit_name)
        credit = accounts.get(credit_name) or directory.account(credit_name)
        if debit == credit:
            return False
        paying, paid = (debit, asset), (credit, asset)
        have = balances.get(paying)
        if have is None:
            have = writer.balance(debit, asset)
        if have < amount and not negative[debit]:
            return False  # short of money: the general path says by how much
        source_id = sources.get(source) or directory.source(source)
        pos_id = points.get(pos) or directory.point_of_sale(pos)
        # From here on the line is posted: the same steps as Writer.append, in its order.
        got = balances.get(paid)
        balances[paying] = have - amount
        balances[paid] = (writer.balance(credit, asset) if got is None else got) + amount
        touched[paying] = touched[paid] = at
        event_id = event_of(source, pos, at, tz)
        first = writer.last_id + 1
        rows.append(
            (
                first,
                first,
                source_id,
                seq,
                0,
                op,
                method,
                at,
                tz,
                debit,
                credit,
                asset,
                amount,
                pos_id,
                None,
                None,
                details,
                event_id,
            )
        )
        writer.last_id = first
        if lines:
            local = (at + tz * 60) // 3600  # local_hour's own key: the hour on the terminal's clock
            hour = hours.get(local)
            if hour is None:
                hour = hours[local] = local_hour(at, tz)
            event = event_id or 0
            for product, quantity, unit, vat_bp in lines:
                total_ = sales.get((event, pos_id, product, vat_bp, hour))
                if total_ is None:
                    total_ = sales[(event, pos_id, product, vat_bp, hour)] = [0, 0]
                total_[0] += quantity
                total_[1] += quantity * unit
                products.add(product)
        known.append(seq)
        terminal.first_ids.append(first)
        remember(source, seq, raw)  # mapped again only if a void or a replay asks
        result.lines += 1
        result.imported += 1
        result.transfers += 1
        return True

    return post


class _Till(dict[str, str]):
    """A point of sale's accounts' names by what they hold (« pos:Bar:cash »), each made once."""

    def __init__(self, pos: str) -> None:
        super().__init__()
        self.pos = pos

    def __missing__(self, what: str) -> str:
        name = self[what] = pos_account(self.pos, what)
        return name
