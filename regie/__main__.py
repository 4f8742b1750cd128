import sys

from regie.cli import main

sys.exit(main())
