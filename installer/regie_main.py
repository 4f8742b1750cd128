"""Entry point of the bundled ``regie`` executable (the same as the ``regie`` command)."""

from regie.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
