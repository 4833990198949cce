"""pap-sim: gang territorial control in Port-au-Prince and the security forces sent against it.

>>> import papsim
>>> scenario = papsim.load_scenario("scenarios/baseline.toml")
>>> result = papsim.run(scenario, seed=1, days=365)
"""

__version__ = "0.1.0"  # the one place the version is written (pyproject.toml reads it; pap-sim --version)

from papsim.errors import InputError
from papsim.registry import PARAMETERS
from papsim.runner import Result, run
from papsim.scenario import Scenario, load_scenario

__all__ = ["InputError", "PARAMETERS", "Result", "Scenario", "load_scenario", "run"]
