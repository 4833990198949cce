"""The library that ships with pap-sim: scenario files with the city map, and experiment specs.

They live in the repository's ``scenarios/`` (the map in ``scenarios/map/``) and ``experiments/``, which
setup.py installs as the packages ``papsim.library.scenarios`` and ``papsim.library.experiments``. Read
through importlib.resources, they are found the same way from a checkout (an editable install reads the
repository's folders) and from an installed wheel (its own copy), whatever the current folder.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def folder(name: str) -> Path:
    """The folder of the library package ``papsim.library.<name>`` on this machine."""
    return Path(resources.files(f"{__name__}.{name}"))


SCENARIOS = folder("scenarios")
EXPERIMENTS = folder("experiments")
