"""Entry point of the bundled ``regie`` executable (the same as the ``regie`` command)."""

import sys

if __name__ == "__main__":
    if sys.argv[1:2] == ["--regie-journal-mapper"]:
        # A big journal import posts its lines in a child process: in the bundle that child
        # is this executable again (regie.ledger.journal_mapper.CHILD_FLAG).
        from regie.ledger.journal_child import main as child

        raise SystemExit(child(sys.argv[2:]))
    from regie.cli import main

    raise SystemExit(main())
