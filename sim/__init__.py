"""pap-sim: gang territorial control in Port-au-Prince and the security forces sent against it.

>>> import sim
>>> scenario = sim.load_scenario("scenarios/baseline.toml")
>>> result = sim.run(scenario, seed=1, days=365)
"""

from sim.errors import InputError
from sim.registry import PARAMETERS
from sim.runner import Result, run
from sim.scenario import Scenario, load_scenario

__all__ = ["InputError", "PARAMETERS", "Result", "Scenario", "load_scenario", "run"]
__version__ = "0.1.0"
