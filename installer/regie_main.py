"""Entry point of the bundled ``regie`` executable (the same as the ``regie`` command)."""

import multiprocessing

from regie.cli import main

if __name__ == "__main__":
    # A big journal import reads its lines in a child process: in the bundle that child is
    # this executable again, which must serve it instead of opening Régie.
    multiprocessing.freeze_support()
    raise SystemExit(main())
