"""What produced an output: the versions of Python and of the packages that shape the results.

Experiment stores record it in their manifest and reports show it, from this one function.
"""

from __future__ import annotations

import platform
from importlib import metadata

PACKAGES = ("pap-sim", "mesa", "numpy", "pandas", "scipy", "matplotlib", "pyarrow", "SALib", "pydantic",
            "solara", "dask", "distributed", "ema_workbench", "Jinja2")


def versions() -> dict[str, str]:
    """Versions of Python and of each installed package of :data:`PACKAGES`, in this environment."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out
