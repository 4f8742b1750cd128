"""Push configurations: to one terminal, or to a fleet at once (one thread per port).

A push never raises for a link failure: it returns a :class:`PushResult` saying what happened
and what the terminal keeps, so a fleet push reports every terminal and can retry the failed
ones. A retry resumes the transfer where the terminal's staging stopped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from regie.db import Database
from regie.errors import UserError
from regie.i18n import _
from regie.terminals.bundle import Bundle, prepare_config, running_config
from regie.terminals.diff import diff_configs
from regie.terminals.link import Hello, LinkError, LinkStats, Progress, TerminalLink
from regie.terminals.pairing import check_identity, ensure_paired, identity
from regie.terminals.registry import find_terminal, note_hello, record_event
from regie.terminals.sizes import progress_sizes, size_text

FleetProgress = Callable[[str, str, int, int], None]  # terminal, stage, done, total


@dataclass(frozen=True)
class PushJob:
    terminal: str
    port: str


@dataclass(kw_only=True)
class PushResult:
    terminal: str
    port: str
    ok: bool
    message: str
    version: int | None = None
    size: int = 0
    sent: int = 0  # bytes sent this time (a resumed push sends less than the size)
    resumed_from: int = 0
    staged: int = 0  # after a failure: bytes the terminal holds, where the next push resumes
    up_to_date: bool = False  # the terminal already ran this version: nothing sent
    paired: bool = False  # the pairing secret was handed over in this push
    seconds: float = 0.0
    stats: LinkStats = field(default_factory=LinkStats)
    command: str | None = None  # the message in the command line's words, when they differ

    def on_command_line(self) -> str:
        """What ``regie terminals push`` prints (``message`` is the window's)."""
        return self.command if self.command is not None else self.message


def refused(job: PushJob, error: UserError, prefix: str = "") -> PushResult:
    """A push that could not start: ``error`` says why, each face in its words."""
    command = None if error.command is None else prefix + error.command
    return PushResult(
        terminal=job.terminal, port=job.port, ok=False, message=f"{prefix}{error}", command=command
    )


def push_terminal(
    db: Database,
    name: str,
    port: str,
    *,
    bundle: Bundle | None = None,
    progress: Progress | None = None,
    timeout: float = 3.0,
    line_rate: int | None = None,
) -> PushResult:
    """Send the terminal its current configuration over ``port``; stage, verify, commit."""
    report = progress or (lambda _stage, _done, _total: None)
    started = time.monotonic()
    with db.session() as session:
        bundle = bundle or prepare_config(session, name)
        who = identity(session, name)
    serial = who.serial
    size = len(bundle.body)
    result = PushResult(
        terminal=name, port=port, ok=False, message="", version=bundle.version, size=size
    )
    link = TerminalLink(port, timeout=timeout, line_rate=line_rate)
    held = [0]

    def tracked(stage: str, done: int, total: int) -> None:
        held[0] = done
        report(stage, done, total)

    try:
        report("connexion", 0, size)
        with link:
            hello = link.greet()
            check_identity(hello, name, serial, port)
            # The first configuration carries the pairing secret (a terminal that announces
            # the inventory's serial number only): the pull will ask for its signatures.
            result.paired = ensure_paired(link, hello, who)
            if hello.config_hash == bundle.hash:
                result.up_to_date = True
                report(_("à jour"), size, size)
            else:
                sent = link.send_config(
                    bundle.body,
                    version=bundle.version,
                    digest=bundle.hash,
                    terminal=name,
                    progress=tracked,
                )
                result.resumed_from = sent.resumed_from
                result.sent = size - sent.resumed_from
    except LinkError as error:
        result.staged = held[0] if held[0] < size else 0
        result.message = _failure(name, error, link.hello, held[0], size)
        result.seconds, result.stats = time.monotonic() - started, link.stats
        _record(db, result, link.hello, bundle)
        report(_("échec"), held[0], size)
        return result
    result.ok = True
    result.seconds, result.stats = time.monotonic() - started, link.stats
    if result.up_to_date:
        result.message = _("{name} : déjà en configuration v{version}, rien à envoyer").format(
            name=name, version=bundle.version
        )
    else:
        resumed = (
            _(", reprise à {resumed_from}").format(resumed_from=size_text(result.resumed_from))
            if result.resumed_from
            else ""
        )
        result.message = (
            f"{name} : configuration v{bundle.version} en service ({size_text(size)}{resumed}, "
            f"{seconds_text(result.seconds)})"
        )
    if result.paired:
        result.message += _(" ; appairé : ses journaux seront signés")
    _record(db, result, link.hello, bundle)
    return result


def seconds_text(seconds: float) -> str:
    return f"{seconds:.1f} s".replace(".", ",")


def _failure(name: str, error: LinkError, hello: Hello | None, held: int, size: int) -> str:
    keeps = _("sa configuration précédente")
    if hello is not None and hello.config_version is not None:
        keeps = _("la configuration v{config_version}").format(config_version=hello.config_version)
    elif hello is not None:
        keeps = _("sa configuration d'usine (aucune reçue)")
    said = str(error).rstrip(" .")
    message = _("{name} : {said}{value} Le terminal garde {keeps}").format(
        name=name, said=said, value="" if said.endswith("?") else ".", keeps=keeps
    )
    if 0 < held < size:
        part, whole = progress_sizes(held, size)
        message += _(" ; l'envoi reprendra à {held} sur {size}").format(held=part, size=whole)
    return message + "."


def _record(db: Database, result: PushResult, hello: Hello | None, bundle: Bundle) -> None:
    with db.session() as session:
        terminal = find_terminal(session, result.terminal)
        if hello is not None:
            note_hello(session, terminal, hello, result.port)
        if result.ok:
            terminal.config_version, terminal.config_hash = bundle.version, bundle.hash
        record_event(session, terminal, "push", result.ok, result.port, result.message)


@dataclass(frozen=True)
class PushPlan:
    """What a push will change on one terminal, to show before it starts."""

    job: PushJob
    bundle: Bundle | None  # None: no bundle can be made (``problem`` says why)
    running: int | None  # the version the terminal runs, as Régie last heard
    changes: list[str]
    problem: str = ""
    problem_command: str | None = None  # the problem in the command line's words

    @property
    def up_to_date(self) -> bool:
        return self.bundle is not None and self.running == self.bundle.version


def plan_push(db: Database, jobs: Sequence[PushJob]) -> list[PushPlan]:
    """Prepare each terminal's bundle and say what changes from the version it runs."""
    plans = []
    with db.session() as session:
        for job in jobs:
            try:
                bundle = prepare_config(session, job.terminal)
            except UserError as error:
                plans.append(
                    PushPlan(
                        job=job,
                        bundle=None,
                        running=None,
                        changes=[],
                        problem=str(error),
                        problem_command=error.command,
                    )
                )
                continue
            running = running_config(session, job.terminal)
            changes = (
                []
                if running is not None and running.hash == bundle.hash
                else (diff_configs(running.data if running else None, bundle.data))
            )
            plans.append(
                PushPlan(
                    job=job,
                    bundle=bundle,
                    running=running.version if running else None,
                    changes=changes,
                )
            )
    return plans


def push_fleet(
    db: Database,
    jobs: Sequence[PushJob],
    *,
    progress: FleetProgress | None = None,
    timeout: float = 3.0,
    line_rate: int | None = None,
    bundles: dict[str, Bundle] | None = None,
    on_result: Callable[[PushResult], None] | None = None,
) -> list[PushResult]:
    """Push to every terminal at once, one thread per port; results in the jobs' order.

    ``bundles``: the versions already prepared (and shown to the user); the others are
    prepared here. ``on_result`` hears each terminal's result as soon as it is known."""
    ports: dict[str, str] = {}
    for job in jobs:
        if job.port in ports and job.port:
            raise UserError(
                _("le port {port} est donné pour {port2} et {terminal}").format(
                    port=job.port, port2=ports[job.port], terminal=job.terminal
                )
            )
        ports[job.port] = job.terminal
    results: dict[str, PushResult] = {}
    bundles = dict(bundles or {})
    with db.session() as session:
        for job in jobs:
            if job.terminal in bundles:
                continue
            try:
                bundles[job.terminal] = prepare_config(session, job.terminal)
            except UserError as error:
                results[job.terminal] = refused(job, error)
                if on_result is not None:
                    on_result(results[job.terminal])
    runnable = [job for job in jobs if job.terminal in bundles]

    def one(job: PushJob) -> PushResult:
        def report(stage: str, done: int, total: int) -> None:
            if progress is not None:
                progress(job.terminal, stage, done, total)

        try:
            result = push_terminal(
                db,
                job.terminal,
                job.port,
                bundle=bundles[job.terminal],
                progress=report,
                timeout=timeout,
                line_rate=line_rate,
            )
        except UserError as error:  # the database said no (terminal removed meanwhile…)
            result = refused(job, error, f"{job.terminal} : ")
        if on_result is not None:
            on_result(result)
        return result

    if runnable:
        with ThreadPoolExecutor(max_workers=len(runnable), thread_name_prefix="push") as pool:
            for job, result in zip(runnable, pool.map(one, runnable), strict=True):
                results[job.terminal] = result
    return [results[job.terminal] for job in jobs]
