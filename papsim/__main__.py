"""``python -m papsim`` is the ``pap-sim`` command."""

import sys

from papsim.cli import main

sys.exit(main())
