"""Runtime hook of the bundle: programs Régie starts (pdftoppm) see the system's libraries.

The bootloader points LD_LIBRARY_PATH at the bundle so that Régie finds its own Qt; a child
process such as pdftoppm must load the machine's libraries instead, so the variable is put
back as it was for children (Régie itself already has its libraries loaded).
"""

import os
import sys

if sys.platform.startswith("linux"):
    original = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if original is None:
        os.environ.pop("LD_LIBRARY_PATH", None)
    else:
        os.environ["LD_LIBRARY_PATH"] = original
