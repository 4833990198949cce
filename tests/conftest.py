"""Shared fixtures: the two shipped scenarios, loaded once per session (scenarios are immutable)."""

from pathlib import Path

import pytest

import papsim

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


@pytest.fixture(scope="session")
def baseline():
    return papsim.load_scenario(SCENARIOS / "baseline.toml")


@pytest.fixture(scope="session")
def planned():
    return papsim.load_scenario(SCENARIOS / "mss_as_planned.toml")
