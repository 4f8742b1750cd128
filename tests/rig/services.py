"""Real services for tests and benchmarks (DESIGN.md §8), on 127.0.0.1 only.

Plain context managers, no pytest import (``bench/`` reuses them). Each one stops what it
started, even when the body raises: processes are started in their own session
(``start_new_session=True``) and their whole process group is terminated, then killed.

A missing component raises :class:`ServiceError` whose message names the Debian package to
install: callers turn it into a test failure, never a skip.

Everything is per process (free ports, ``Xvfb -displayfd``, temp dirs) so that pytest-xdist
workers do not collide, except pcscd, which is machine-wide: see :func:`pcscd_service`.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import http.client
import json
import os
import pwd
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

REPO_ROOT: Path = Path(__file__).resolve().parents[2]
LOCALSTRIPE_API_KEY = "sk_test_12345"


class ServiceError(RuntimeError):
    """A test service could not be started (message says what to install or do)."""


# --------------------------------------------------------------------------------------------
# Small helpers


def artifacts_dir() -> Path:
    """``<repo>/artifacts`` (created): screenshots and other files tests leave behind."""
    path = REPO_ROOT / "artifacts"
    path.mkdir(parents=True, exist_ok=True)
    return path


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the caller binds it soon after)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def find_binary(name: str, package: str, extra_dirs: tuple[str, ...] = ()) -> str:
    """Absolute path of an executable; ``/usr/sbin`` and ``/sbin`` are searched too."""
    search = os.pathsep.join([os.environ.get("PATH", ""), *extra_dirs, "/usr/sbin", "/sbin"])
    found = shutil.which(name, path=search)
    if found is None:
        raise ServiceError(f"`{name}` not found: install the Debian package `{package}`")
    return found


def wait_until(
    predicate: Callable[[], bool],
    timeout: float,
    what: str,
    interval: float = 0.05,
    check: Callable[[], None] | None = None,
) -> None:
    """Poll ``predicate`` until true; ``check`` may raise early (e.g. the process died)."""
    deadline = time.monotonic() + timeout
    while True:
        if check is not None:
            check()
        if predicate():
            return
        if time.monotonic() >= deadline:
            raise ServiceError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


def _tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


def terminate_process(proc: subprocess.Popen[Any], timeout: float = 5.0) -> None:
    """SIGTERM the process group of ``proc`` (started with start_new_session), then SIGKILL."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout)
    # Kill stragglers of the group even when the leader already exited.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout)


def pid_alive(pid: int) -> bool:
    """True if ``pid`` runs; a zombie (exited, not yet reaped) counts as dead."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    # "pid (comm) S ..." - comm may contain spaces or parentheses: split on the last ')'.
    state = stat.rsplit(")", 1)[1].split()[0]
    return state not in ("Z", "X")


def _process_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


# --------------------------------------------------------------------------------------------
# pcscd (machine-wide)

PCSCD_RUN_DIR = Path("/run/pcscd")
# Beside the test run's TMPDIR (private in the sandbox of tests/run.sh), like /run/pcscd.
PCSCD_LOCK = Path(tempfile.gettempdir()) / "regie-pcscd.lock"
PCSCD_STATE = Path(tempfile.gettempdir()) / "regie-pcscd.json"
PCSCD_LOG = Path(tempfile.gettempdir()) / "regie-pcscd.log"
VIRTUAL_READER = "Virtual PCD 00 00"
VPCD_PORTS = (35963, 35964)  # vpcd listens there for the virtual cards of readers 00 and 01


def vpcd_listening(ports: tuple[int, ...] = VPCD_PORTS) -> bool:
    """vpcd's ports are in LISTEN state (read from /proc: connecting would be a card tap).

    A pcscd started while the one before still held the ports lists its readers all the same,
    but no card can ever reach them."""
    listening: set[int] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table, encoding="ascii") as handle:
            for line in handle.readlines()[1:]:
                fields = line.split()
                if len(fields) > 3 and fields[3] == "0A":  # TCP_LISTEN
                    listening.add(int(fields[1].rsplit(":", 1)[1], 16))
    return all(port in listening for port in ports)


@dataclass
class PcscdHandle:
    """What the ``pcscd`` fixture yields."""

    readers: list[str]
    socket_path: Path
    #: True if this rig started the daemon (and the last rig user stops it); False if an
    #: external daemon (systemd, a developer's) was already running: it is never stopped.
    managed: bool
    daemon_pid: int | None = None


def pcscd_socket_path() -> Path:
    return Path(os.environ.get("PCSCLITE_CSOCK_NAME", str(PCSCD_RUN_DIR / "pcscd.comm")))


def pcscd_accepts(path: Path | None = None) -> bool:
    """Does the pcscd socket accept a connection?"""
    path = path or pcscd_socket_path()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        try:
            sock.connect(str(path))
        except OSError:
            return False
    return True


def list_readers() -> list[str]:
    """pyscard's reader names, or [] if pcscd does not answer."""
    from smartcard.System import readers

    try:
        return [str(r) for r in readers()]
    except Exception:  # EstablishContextException, ListReadersException...
        return []


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except PermissionError:  # created by another user: a read-only fd locks too
        fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _load_pcscd_state() -> dict[str, Any]:
    try:
        state: dict[str, Any] = json.loads(PCSCD_STATE.read_text())
    except (OSError, ValueError):
        return {"daemon_pid": None, "users": []}
    state["users"] = [u for u in state.get("users", []) if isinstance(u, int) and pid_alive(u)]
    return state


def _save_pcscd_state(state: dict[str, Any]) -> None:
    tmp = PCSCD_STATE.with_name(PCSCD_STATE.name + f".{os.getpid()}")
    tmp.write_text(json.dumps(state))
    os.replace(tmp, PCSCD_STATE)


def _rig_daemon_running(state: dict[str, Any]) -> bool:
    pid = state.get("daemon_pid")
    return isinstance(pid, int) and pid_alive(pid) and _process_name(pid) == "pcscd"


def _start_pcscd(timeout: float) -> int:
    """Start a detached ``pcscd --foreground``; return its pid once the virtual reader shows."""
    binary = find_binary("pcscd", "pcscd")
    if os.geteuid() != 0:
        raise ServiceError(
            "pcscd is not running and only root can start it (it reads /etc/reader.conf.d "
            "and writes /run/pcscd). Start it once with:\n"
            "  sudo rm -rf /run/pcscd && sudo mkdir -p /run/pcscd && sudo pcscd\n"
            "(or `sudo systemctl start pcscd.socket`); packages: pcscd vsmartcard-vpcd"
        )
    # A stale /run/pcscd (pid file, socket) makes a new pcscd refuse to start.
    shutil.rmtree(PCSCD_RUN_DIR, ignore_errors=True)
    PCSCD_RUN_DIR.mkdir(parents=True, exist_ok=True)
    sock_path = pcscd_socket_path()
    if sock_path.is_socket():
        sock_path.unlink()
    # `sh` backgrounds pcscd and exits: the daemon is nobody's child in this process tree, so
    # any rig user (whichever xdist worker leaves last) can stop it the same way. It runs in
    # its own session (setsid), so Ctrl-C in the terminal does not reach it.
    # pcscd 1.9.9 watches its clients with select(): a client socket numbered 1024 or more
    # aborts the daemon ("bit out of range 0 - FD_SETSIZE"). With at most 1024 files open it
    # refuses a client instead of dying.
    script = 'exec 0</dev/null; ulimit -n 1024; "$1" --foreground >"$2" 2>&1 & echo $!'
    out = subprocess.run(
        ["sh", "-c", script, "sh", binary, str(PCSCD_LOG)],
        capture_output=True,
        text=True,
        check=True,
        start_new_session=True,
    )
    pid = int(out.stdout.strip())

    def died() -> None:
        if not pid_alive(pid):
            raise ServiceError(f"pcscd exited at start-up; log {PCSCD_LOG}:\n{_tail(PCSCD_LOG)}")

    try:
        wait_until(
            lambda: VIRTUAL_READER in list_readers(),
            timeout,
            f"pcscd to list the reader {VIRTUAL_READER!r} (is the Debian package "
            f"`vsmartcard-vpcd` installed? log {PCSCD_LOG}:\n{_tail(PCSCD_LOG)})",
            interval=0.1,
            check=died,
        )
    except BaseException:
        _stop_pcscd(pid)
        raise
    return pid


def _stop_pcscd(pid: int, timeout: float = 5.0) -> None:
    if pid_alive(pid) and _process_name(pid) == "pcscd":
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        try:
            wait_until(lambda: not pid_alive(pid), timeout, "pcscd to exit")
        except ServiceError:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            wait_until(lambda: not pid_alive(pid), timeout, "pcscd to die")
    # pcscd removes its socket and pid file on a clean exit; after SIGKILL they linger.
    if not pcscd_accepts():
        shutil.rmtree(PCSCD_RUN_DIR, ignore_errors=True)


def _restart_if_alone(me: int, timeout: float) -> int | None:
    """Start the rig's pcscd again if this process is its only user; its new pid."""
    with _locked(PCSCD_LOCK):
        state = _load_pcscd_state()
        if not _rig_daemon_running(state) or state["users"] != [me]:
            return state.get("daemon_pid")
        _stop_pcscd(int(state["daemon_pid"]))
        pcscd_socket_path()  # clears what a killed daemon left behind
        state["daemon_pid"] = _start_pcscd(timeout)
        _save_pcscd_state(state)
        return int(state["daemon_pid"])


@contextlib.contextmanager
def pcscd_service(timeout: float = 30.0) -> Iterator[PcscdHandle]:
    """Make sure pcscd runs with the vpcd reader, for the duration of the block.

    ``timeout`` bounds each wait (the daemon's socket, vpcd's ports, the readers): 10 s was
    not enough on a 2-core machine with the other worker and two busy loops beside it, and a
    wait ends as soon as the thing is there, so a quiet machine pays nothing for it.

    pcscd is one per machine (fixed /run/pcscd pid file, vpcd on fixed TCP ports 35963/35964),
    so xdist workers share it. Protocol, every step under ``flock(/tmp/regie-pcscd.lock)``,
    with ``/tmp/regie-pcscd.json`` = ``{"daemon_pid": pid started by the rig, "users": [pids
    of processes using it]}``:

    * enter: if the rig's recorded daemon is alive, add our pid to ``users``; else if the
      socket accepts, the daemon is external: use it, register nothing, never stop it; else
      start one, record it, ``users = [our pid]``.
    * leave: remove our pid (and dead pids: a crashed worker does not keep it alive forever);
      if no user remains, stop the recorded daemon and delete the state file.

    So the last user stops it, whichever process started it.
    """
    sock_path = pcscd_socket_path()
    me = os.getpid()
    managed = False
    daemon_pid: int | None = None
    with _locked(PCSCD_LOCK):
        state = _load_pcscd_state()
        if _rig_daemon_running(state) and pcscd_accepts(sock_path):
            managed = True
        elif pcscd_accepts(sock_path):
            managed = False
        else:
            if _rig_daemon_running(state):  # ours but hung: replace it
                _stop_pcscd(int(state["daemon_pid"]))
            state = {"daemon_pid": _start_pcscd(timeout), "users": state["users"]}
            managed = True
        if managed:
            daemon_pid = state["daemon_pid"]
            state["users"] = [*state["users"], me]
            _save_pcscd_state(state)
    try:
        wait_until(
            lambda: VIRTUAL_READER in list_readers(),
            timeout,
            f"the running pcscd to list {VIRTUAL_READER!r} (Debian package `vsmartcard-vpcd`;"
            " restart pcscd after installing it)",
            interval=0.1,
        )
        try:
            wait_until(vpcd_listening, timeout, "vpcd to listen", interval=0.1)
        except ServiceError:
            # pcscd 1.9.9 sometimes starts without vpcd's channel (seen on a loaded machine,
            # one start in a few hundred): a daemon only we use is started again, once.
            daemon_pid = _restart_if_alone(me, timeout)
            wait_until(
                vpcd_listening,
                timeout,
                f"vpcd to listen on TCP ports {VPCD_PORTS} (another pcscd holding them?)",
                interval=0.1,
            )
        yield PcscdHandle(list_readers(), sock_path, managed, daemon_pid)
    finally:
        if managed:
            with _locked(PCSCD_LOCK):
                state = _load_pcscd_state()
                state["users"] = [u for u in state["users"] if u != me]
                if state["users"]:
                    _save_pcscd_state(state)
                else:
                    if state.get("daemon_pid") is not None:
                        _stop_pcscd(int(state["daemon_pid"]))
                    with contextlib.suppress(FileNotFoundError):
                        PCSCD_STATE.unlink()


# --------------------------------------------------------------------------------------------
# Serial: a pair of linked pseudo-terminals


@dataclass
class PtyPair:
    """Two ptys joined by socat: bytes written to ``a`` come out of ``b`` and back."""

    a: str
    b: str
    process: subprocess.Popen[bytes]

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """Pull the cable: socat exits and closes both pty masters."""
        terminate_process(self.process)


@contextlib.contextmanager
def socat_pty_pair(directory: Path, timeout: float = 5.0) -> Iterator[PtyPair]:
    socat = find_binary("socat", "socat")
    a, b, log = directory / "ttyA", directory / "ttyB", directory / "socat.log"
    with log.open("wb") as log_file:
        proc = subprocess.Popen(
            [socat, "-d", "-d", f"pty,raw,echo=0,link={a}", f"pty,raw,echo=0,link={b}"],
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=log_file,
            start_new_session=True,
        )
    try:

        def died() -> None:
            if proc.poll() is not None:
                raise ServiceError(f"socat exited with {proc.returncode}:\n{_tail(log)}")

        wait_until(
            lambda: a.exists() and b.exists() and b"starting data transfer" in log.read_bytes(),
            timeout,
            "socat's pty links",
            check=died,
        )
        yield PtyPair(str(a), str(b), proc)
    finally:
        terminate_process(proc)


# --------------------------------------------------------------------------------------------
# Stripe: localstripe

LAUNCHER = Path(__file__).with_name("localstripe_launcher.py")


def _http_get_status(port: int, path: str, timeout: float = 2.0) -> int | None:
    """Status of GET 127.0.0.1:port/path with the test key, None if nothing answers.

    http.client, not urllib/requests: those honour $HTTP_PROXY.
    """
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {LOCALSTRIPE_API_KEY}"})
        response = conn.getresponse()
        response.read()
        return response.status
    except OSError:
        return None
    finally:
        conn.close()


class LocalStripe:
    """A localstripe server on 127.0.0.1 (in-memory state: a restart starts EMPTY)."""

    def __init__(self, workdir: Path) -> None:
        self._workdir = workdir
        self._proc: subprocess.Popen[bytes] | None = None
        self._port: int | None = None
        self.log = workdir / "localstripe.log"

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("localstripe was never started")
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout: float = 15.0) -> None:
        """Start (or restart on the SAME port, which the launcher rebinds with SO_REUSEADDR)."""
        if self.running:
            return
        port_file = self._workdir / "port"
        port_file.unlink(missing_ok=True)
        cmd = [sys.executable, "-P", str(LAUNCHER), "--port-file", str(port_file)]
        cmd += ["--port", str(self._port or 0)]
        with self.log.open("ab") as log_file:
            self._proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log_file,
                start_new_session=True,
                cwd=self._workdir,
            )
        proc = self._proc

        def died() -> None:
            if proc.poll() is not None:
                raise ServiceError(
                    f"localstripe exited with {proc.returncode} (pip package `localstripe` in "
                    f"the venv?); log {self.log}:\n{_tail(self.log)}"
                )

        try:
            wait_until(port_file.exists, timeout, "localstripe's port file", check=died)
            self._port = int(port_file.read_text())
            wait_until(
                lambda: _http_get_status(self.port, "/v1/customers") == 200,
                timeout,
                f"localstripe to answer on {self.url}/v1/customers",
                check=died,
            )
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self._proc is not None:
            terminate_process(self._proc)
            self._proc = None


@contextlib.contextmanager
def localstripe_service() -> Iterator[LocalStripe]:
    with tempfile.TemporaryDirectory(prefix="regie-localstripe-") as workdir:
        server = LocalStripe(Path(workdir))
        try:
            server.start()
            yield server
        finally:
            server.stop()


def configure_stripe(url: str) -> None:
    """Point the global ``stripe`` library (16.x) at localstripe.

    Notes for stripe 16.x:
    * ``stripe.max_network_retries`` defaults to 2 (with back-off): set to 0 so that a stopped
      server fails at once with ``stripe.APIConnectionError``.
    * the default client is ``RequestsClient`` on a session with ``trust_env=True``, which would
      send 127.0.0.1 traffic to ``$HTTP_PROXY``: give it a session with ``trust_env=False``.
    * ``stripe.default_http_client`` is created lazily and then cached, so it is replaced
      here rather than relying on ``stripe.proxy``.
    """
    import requests
    import stripe

    session = requests.Session()
    session.trust_env = False
    stripe.api_key = LOCALSTRIPE_API_KEY
    stripe.api_base = url
    stripe.max_network_retries = 0
    stripe.default_http_client = stripe.RequestsClient(session=session, timeout=10)


@contextlib.contextmanager
def stripe_pointed_at(url: str) -> Iterator[None]:
    """:func:`configure_stripe` for a block, restoring the previous globals afterwards."""
    import stripe

    saved = (
        stripe.api_key,
        stripe.api_base,
        stripe.max_network_retries,
        stripe.default_http_client,
    )
    configure_stripe(url)
    try:
        yield
    finally:
        (
            stripe.api_key,
            stripe.api_base,
            stripe.max_network_retries,
            stripe.default_http_client,
        ) = saved


# --------------------------------------------------------------------------------------------
# PostgreSQL: a throwaway cluster

_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def postgres_bindir() -> Path:
    """Directory of initdb/pg_ctl: ``pg_config --bindir``, else newest /usr/lib/postgresql/*."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True
            )
            candidates.append(Path(out.stdout.strip()))

    def version(path: str) -> tuple[int, ...]:
        return tuple(int(x) for x in re.findall(r"\d+", Path(path).parent.name))

    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version)]
    candidates.reverse()
    initdb = shutil.which("initdb")
    if initdb is not None:
        candidates.append(Path(initdb).parent)
    for directory in candidates:
        if (directory / "initdb").is_file() and (directory / "pg_ctl").is_file():
            return directory
    raise ServiceError(
        "PostgreSQL server binaries not found: install the Debian package `postgresql`"
    )


class PostgresCluster:
    """A throwaway cluster (trust auth, fsync off) on 127.0.0.1 and a socket in its dir."""

    host = "127.0.0.1"
    user = "postgres"

    def __init__(self) -> None:
        self.bindir = postgres_bindir()
        self._as_postgres: list[str] = []
        owner: pwd.struct_passwd | None = None
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise ServiceError(
                    "running as root needs the `postgres` system user (Debian package "
                    "`postgresql` creates it) to own the throwaway cluster"
                ) from None
            self._as_postgres = [find_binary("runuser", "util-linux"), "-u", "postgres", "--"]
        self.dir = Path(tempfile.mkdtemp(prefix="regie-pg-"))
        if owner is not None:
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)
        self.data = self.dir / "data"
        self.logfile = self.dir / "postgres.log"
        self.port = 0
        self._started = False

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        return subprocess.run(
            [*self._as_postgres, *args],
            capture_output=True,
            text=True,
            check=check,
            cwd=self.dir,
            env=env,
            stdin=subprocess.DEVNULL,
        )

    def init(self) -> None:
        result = self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            self.user,
            "--auth=trust",
            "--locale=C",
            "--encoding=UTF8",
            "--no-sync",
            check=False,
        )
        if result.returncode != 0:
            raise ServiceError(f"initdb failed:\n{result.stdout}\n{result.stderr}")

    def start(self, attempts: int = 3) -> None:
        """``pg_ctl start`` on a free port (retried: another process may grab the port)."""
        for _ in range(attempts):
            self.port = free_port()
            options = (
                f"-k {self.dir} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c full_page_writes=off -c synchronous_commit=off"
            )
            result = self._run(
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.logfile),
                "-o",
                options,
                "-w",
                "-t",
                "30",
                "start",
                check=False,
            )
            if result.returncode == 0:
                self._started = True
                return
            if "already in use" not in self.logfile.read_text(errors="replace"):
                break
        raise ServiceError(
            f"pg_ctl start failed:\n{result.stdout}\n{result.stderr}\n{_tail(self.logfile)}"
        )

    def stop(self) -> None:
        if self._started:
            self._run(
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                "immediate",
                "-w",
                "stop",
                check=False,
            )
            self._started = False
        pid_file = self.data / "postmaster.pid"
        with contextlib.suppress(OSError, ValueError):
            pid = int(pid_file.read_text().split()[0])
            if pid_alive(pid) and _process_name(pid) in ("postgres", "postmaster"):
                os.kill(pid, signal.SIGKILL)

    def cleanup(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def connect_admin(self) -> Any:
        import psycopg

        return psycopg.connect(
            host=self.host, port=self.port, user=self.user, dbname="postgres", autocommit=True
        )

    def create_database(self, name: str | None = None) -> str:
        """Create a new empty database; return its SQLAlchemy URL."""
        name = name or f"regie_{uuid.uuid4().hex[:12]}"
        if not _DB_NAME.match(name):
            raise ValueError(f"bad database name {name!r}")
        with self.connect_admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{name}"


@contextlib.contextmanager
def postgres_cluster() -> Iterator[PostgresCluster]:
    cluster = PostgresCluster()
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        cluster.cleanup()


# --------------------------------------------------------------------------------------------
# X display: Xvfb


@dataclass
class XvfbDisplay:
    display: str  # ":N"
    number: int
    process: subprocess.Popen[bytes] = field(repr=False)


def _read_line(fd: int, timeout: float) -> bytes:
    data = b""
    deadline = time.monotonic() + timeout
    while not data.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            break
        chunk = os.read(fd, 64)
        if not chunk:
            break
        data += chunk
    return data


# Unix socket only (no TCP); -noreset: no server reset when the last client leaves.
XVFB_OPTIONS = ("-nolisten", "tcp", "-noreset")


@contextlib.contextmanager
def xvfb_display(size: str = "1280x800x24", timeout: float = 10.0) -> Iterator[XvfbDisplay]:
    """Start Xvfb on the first free display; set DISPLAY and QT_QPA_PLATFORM=xcb meanwhile."""
    binary = find_binary("Xvfb", "xvfb")
    read_fd, write_fd = os.pipe()
    log = Path(tempfile.mkstemp(prefix="regie-xvfb-", suffix=".log")[1])
    proc: subprocess.Popen[bytes] | None = None
    saved = {key: os.environ.get(key) for key in ("DISPLAY", "QT_QPA_PLATFORM")}
    try:
        log_file: IO[bytes]
        with log.open("wb") as log_file:
            proc = subprocess.Popen(
                [binary, "-displayfd", str(write_fd), "-screen", "0", size, *XVFB_OPTIONS],
                pass_fds=(write_fd,),
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=log_file,
                start_new_session=True,
            )
        os.close(write_fd)
        write_fd = -1
        # Xvfb writes the display number once it accepts connections.
        line = _read_line(read_fd, timeout).strip()
        if not line.isdigit():
            raise ServiceError(f"Xvfb gave no display number:\n{_tail(log)}")
        number = int(line)
        os.environ["DISPLAY"] = f":{number}"
        os.environ["QT_QPA_PLATFORM"] = "xcb"
        yield XvfbDisplay(f":{number}", number, proc)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if write_fd >= 0:
            os.close(write_fd)
        os.close(read_fd)
        if proc is not None:
            terminate_process(proc)
        with contextlib.suppress(OSError):
            log.unlink()


__all__ = [
    "LOCALSTRIPE_API_KEY",
    "REPO_ROOT",
    "VIRTUAL_READER",
    "LocalStripe",
    "PcscdHandle",
    "PostgresCluster",
    "PtyPair",
    "ServiceError",
    "XvfbDisplay",
    "artifacts_dir",
    "configure_stripe",
    "free_port",
    "localstripe_service",
    "pcscd_service",
    "postgres_cluster",
    "socat_pty_pair",
    "stripe_pointed_at",
    "wait_until",
    "xvfb_display",
]
