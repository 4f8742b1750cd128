"""The audit trail is written here, centrally, so no operation can forget it.

- ORM changes of the tracked tables (:mod:`regie.audit.changes`) are described after each
  flush, when new rows have their numbers, and written on the flush's own connection: the
  line commits or rolls back with the change.
- The ledger journal is written with Core (fast bulk inserts) by its one writer, which ends
  each write by moving the chain head. The head's position is noted before the first move
  of a transaction; at commit the transfers appended since are summarised in ONE line
  (a desk refund, a whole journal import), whatever their number.

:func:`install_audit` registers the listeners (idempotent). The composition roots call it
(:mod:`regie.cli`, :mod:`regie.ui.app`), not the database: the trail reads every area, so it
sits above them, and the database below them all.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import event, insert, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from regie import clock
from regie.audit.changes import DESCRIBERS, Changes, Line
from regie.audit.seal_register import seal_flushed, seal_rows
from regie.i18n import N_
from regie.people.actor import audit_actor
from regie.people.models import AuditEntry

TRAIL = AuditEntry
LEDGER_FROM = "regie_audit_ledger_from"
MERGE_AT = 6  # more lines than this of one action in one flush: one line saying how many
DETAILED_UP_TO = 2000  # a bigger posting (an import) is summarised by its range only


def record(session: Session, line: Line) -> None:
    """An explicit line, for a change the listeners cannot see."""
    _insert(session.connection(), [line])


def _insert(connection: Connection, lines: list[Line]) -> None:
    if not lines:
        return
    actor, at = audit_actor(), clock.now()
    rows = [
        {
            "at": at,
            "actor": actor.name,
            "role": actor.role,
            "action": line.action,
            "subject": line.subject[:200],
            "template": line.template,
            "params": orjson.dumps(line.params).decode(),
        }
        for line in lines
    ]
    # One by one, for their numbers: each line is sealed as it reads back from the base.
    ids = [connection.execute(insert(TRAIL).returning(TRAIL.id), row).scalar_one() for row in rows]
    seal_rows(connection, "audit", ids)


def _changes(obj: Any) -> Changes:
    state = inspect(obj)
    found: Changes = {}
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if history.has_changes():
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            if before != after:
                found[attr.key] = (before, after)
    return found


def _merge(lines: list[Line]) -> list[Line]:
    """Items of one loan in one line; many lines of one action in one line."""
    merged: dict[tuple[str, str, str], Line] = {}
    for line in lines:
        key = (line.action, line.subject, line.template)
        if "items" in line.params and key in merged:
            earlier = merged[key]
            items = f"{earlier.params['items']}, {line.params['items']}"
            merged[key] = Line(
                line.action, line.subject, line.template, {**line.params, "items": items}
            )
        else:
            merged[key if "items" in line.params else (*key[:2], str(len(merged)))] = line
    by_action: dict[str, list[Line]] = {}
    for line in merged.values():
        by_action.setdefault(line.action, []).append(line)
    result = []
    for action, group in by_action.items():
        if len(group) < MERGE_AT:
            result.extend(group)
            continue
        subjects = ", ".join(line.subject for line in group[:MERGE_AT])
        result.append(
            Line(
                action,
                "",
                N_("{count} changements : {subjects}…"),
                {"count": len(group), "subjects": subjects},
            )
        )
    return result


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    lines: list[Line] = []
    for verb, objects in (
        ("insert", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            describe = DESCRIBERS.get(getattr(type(obj), "__tablename__", ""))
            if describe is None:
                continue
            changes = _changes(obj) if verb == "update" else {}
            if verb == "update" and not changes:
                continue
            lines.extend(describe(session, obj, verb, changes))
    with session.no_autoflush:
        if lines:
            _insert(session.connection(), _merge(lines))
        seal_flushed(session)


def _head(session: Session) -> int:
    return int(
        session.execute(text("SELECT last_transfer_id FROM ledger_head WHERE id = 1")).scalar_one()
    )


def _on_execute(state: ORMExecuteState) -> None:
    if not state.is_update or LEDGER_FROM in state.session.info:
        return
    mapper = state.bind_mapper
    if mapper is not None and getattr(mapper.class_, "__tablename__", "") == "ledger_head":
        state.session.info[LEDGER_FROM] = _head(state.session)


def _before_commit(session: Session) -> None:
    first = session.info.pop(LEDGER_FROM, None)
    if first is None:
        return
    last = _head(session)
    if last > first:
        _insert(session.connection(), [ledger_line(session, first, last)])


def ledger_line(session: Session, first: int, last: int) -> Line:
    """Transfers ``first+1 … last`` in one line: what operations, how much, which accounts."""
    span = {"first": first + 1, "last": last, "count": last - first}
    if last - first > DETAILED_UP_TO:
        return Line(
            "ledger.import",
            "",
            N_("Grand livre : {count} transferts écrits (n°{first} à n°{last})"),
            span,
        )
    rows = session.execute(
        text(
            "SELECT t.op, COUNT(DISTINCT t.link_id), SUM(t.amount) FROM transfer t "
            "WHERE t.id > :first AND t.id <= :last GROUP BY t.op ORDER BY t.op"
        ),
        {"first": first, "last": last},
    ).all()
    accounts = session.execute(
        text(
            "SELECT DISTINCT a.name FROM transfer t JOIN account a "
            "ON a.id = t.debit_id OR a.id = t.credit_id "
            "WHERE t.id > :first AND t.id <= :last ORDER BY a.name LIMIT 5"
        ),
        {"first": first, "last": last},
    ).scalars()
    ops = [str(op) for op, _links, _amount in rows]
    action = (
        "ledger.refund" if "refund" in ops else "ledger.melt" if "melt" in ops else "ledger.post"
    )
    return Line(
        action,
        ", ".join(ops),
        N_(
            "Grand livre : {ops} — {amount_cents}, comptes {accounts} "
            "(transferts n°{first} à n°{last})"
        ),
        {
            **span,
            "ops": ", ".join(f"{op} ×{links}" for op, links, _ in rows),
            "amount_cents": int(sum(amount for _op, _links, amount in rows)),
            "accounts": ", ".join(accounts),
        },
    )


def _forget(session: Session, *_args: object) -> None:
    session.info.pop(LEDGER_FROM, None)


def install_audit() -> None:
    """Record who changed what in every session of this process (idempotent)."""
    for name, listener in (
        ("after_flush", _after_flush),
        ("do_orm_execute", _on_execute),
        ("before_commit", _before_commit),
        ("after_rollback", _forget),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
