"""``python -m sim`` is the ``pap-sim`` command."""

import sys

from sim.cli import main

sys.exit(main())
