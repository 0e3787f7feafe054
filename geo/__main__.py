"""``python -m geo``: the Jangkau command line."""

import sys

from geo.cli import main

sys.exit(main())
