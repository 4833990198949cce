"""pap-sim: gang territorial control in Port-au-Prince and the security forces sent against it.

>>> import papsim
>>> scenario = papsim.load_scenario("scenarios/baseline.toml")
>>> result = papsim.run(scenario, seed=1, days=365)
"""

__version__ = "0.1.0"  # the one place the version is written (pyproject.toml reads it; pap-sim --version)

import importlib

from papsim.errors import InputError

# the API, imported on first use (PEP 562): ``import papsim`` (and every ``pap-sim`` call) does not pay for
# the model, Mesa and pandas until they are needed
_LAZY = {"PARAMETERS": "papsim.registry", "Result": "papsim.runner", "run": "papsim.runner",
         "Scenario": "papsim.scenario", "load_scenario": "papsim.scenario"}

__all__ = ["InputError", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'papsim' has no attribute {name!r}")
