"""`python -m modelcompare_tui.cli` runs the command, as it did when cli was one module."""

import sys

from . import main

sys.exit(main())
