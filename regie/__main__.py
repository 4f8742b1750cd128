import sys

from regie.cli import main

if __name__ == "__main__":  # not when a child process (the journal mapper) imports it again
    sys.exit(main())
