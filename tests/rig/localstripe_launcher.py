"""Start localstripe on 127.0.0.1 without touching /tmp/localstripe.pickle.

Usage::

    python -P tests/rig/localstripe_launcher.py --port-file PATH [--port N]
    python -m tests.rig.localstripe_launcher --port-file PATH [--port N]

``--port 0`` (the default) lets the kernel pick a free port. The chosen port is written to
``--port-file`` (atomically: a temporary file then a rename) and printed as the first stdout
line, after the socket is listening, so a parent that sees the port can connect at once.

localstripe's own ``start()`` binds ``::`` (every interface) and loads/saves its whole state
to ``/tmp/localstripe.pickle`` on every POST: both are wrong for tests (shared state between
runs and xdist workers, network exposure). This launcher keeps the state in memory only: a
restarted server starts empty.

This file imports nothing from the ``tests`` package so that it can be run by path.
"""

from __future__ import annotations

import argparse
import errno
import logging
import os
import socket
import sys
import time
from pathlib import Path


def _disable_disk_state() -> None:
    from localstripe import resources

    def _no_op(self: object) -> None:
        return None

    # Patch the class: the module-level ``store`` instance and the server's
    # ``save_store_middleware`` both go through these methods.
    resources.Store.try_load_from_disk = _no_op
    resources.Store.dump_to_disk = _no_op


def _bind(port: int, retry_seconds: float) -> socket.socket:
    """Bind 127.0.0.1:port; retry EADDRINUSE for a while (restart on the same port)."""
    deadline = time.monotonic() + retry_seconds
    while True:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # Lets a restart reuse the port while old connections sit in TIME_WAIT.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError as exc:
            sock.close()
            if exc.errno != errno.EADDRINUSE or time.monotonic() >= deadline:
                raise
            time.sleep(0.1)
            continue
        sock.listen(128)
        return sock


def _write_port_file(path: Path, port: int) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(f"{port}\n", encoding="ascii")
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="0 = pick a free port")
    parser.add_argument("--port-file", type=Path, default=None)
    parser.add_argument(
        "--bind-retry",
        type=float,
        default=5.0,
        help="seconds to keep retrying a busy fixed port",
    )
    parser.add_argument("--access-log", action="store_true", help="log requests to stderr")
    args = parser.parse_args(argv)

    _disable_disk_state()

    from aiohttp import web
    from localstripe import server

    sock = _bind(args.port, args.bind_retry)
    port: int = sock.getsockname()[1]
    if args.port_file is not None:
        _write_port_file(args.port_file, port)
    print(port, flush=True)

    access_log: logging.Logger | None = None
    if args.access_log:
        access_log = logging.getLogger("aiohttp.access")
        access_log.setLevel(logging.DEBUG)
        access_log.addHandler(logging.StreamHandler(sys.stderr))

    # run_app turns SIGTERM/SIGINT into a graceful shutdown.
    web.run_app(server.app, sock=sock, access_log=access_log, print=None)


if __name__ == "__main__":
    main()
