"""The vigilantes, the executions, the HNP's condition and the displaced's stocks in whole runs: each changes
what it should, and nothing else does it for them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import papsim
from papsim.model import PortAuPrince

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def deployed():
    return papsim.load_scenario(ROOT / "scenarios" / "mss_as_deployed.toml")


def test_vigilantes_resist_expansion_and_kill(deployed):
    """Same seed: without brigades the gangs take more ground and nobody is lynched."""
    none = papsim.run(deployed.replace(vigilante_max_per_cell=0.0), seed=4, days=120).timeseries
    many = papsim.run(deployed.replace(vigilante_max_per_cell=120.0), seed=4, days=120).timeseries
    assert none["deaths_by_vigilantes"].sum() == 0 and none["vigilantes"].max() == 0
    assert many["deaths_by_vigilantes"].sum() > 0
    assert none["gang_territory_share"].iloc[-1] > many["gang_territory_share"].iloc[-1]


def test_oversight_stops_executions_and_the_executed_are_not_detained(deployed):
    free = papsim.run(deployed.replace(oversight_strength=0.0), seed=5, days=90).timeseries
    full = papsim.run(deployed.replace(oversight_strength=1.0), seed=5, days=90).timeseries
    assert full["executions"].sum() == 0 and free["executions"].sum() > 0
    assert (free["executions"] <= free["deaths_gang"] + 1e-9).all()
    assert (free["detained"].diff().iloc[1:] <= free["arrests"].iloc[1:] + 1e-9).all()  # the executed never arrive


def test_officer_deaths_lower_the_hnp_capacity(deployed):
    ts = papsim.run(deployed.replace(hnp_capacity_loss=0.6, hnp_killed_reference=10.0), seed=6, days=120).timeseries
    assert ts["hnp_capacity"].iloc[0] == 1.0
    first_death = int(np.argmax(ts["deaths_hnp"].to_numpy() > 0))
    assert first_death > 0 and ts["hnp_capacity"].iloc[first_death + 5] < 1.0
    calm = papsim.run(deployed.replace(hnp_capacity_loss=0.0), seed=6, days=120).timeseries
    assert (calm["hnp_capacity"] == 1.0).all()


def test_the_displaced_are_stocks_that_go_home_when_their_area_is_secure(deployed):
    ts = papsim.run(deployed.replace(return_after_days=14, return_rate=0.05), seed=7, days=200).timeseries
    stuck = papsim.run(deployed.replace(return_rate=0.0), seed=7, days=200).timeseries
    assert stuck["displaced_returned"].iloc[-1] == 0 and ts["displaced_returned"].iloc[-1] > 0
    in_city = ts["displaced_in_sites"] + ts["displaced_hosted"]
    assert (in_city > 0).all() and (ts["displaced_outside"] <= ts["displaced_out"] + 1e-6).all()
    share = ts["displaced_in_sites"] / in_city  # the site share of the arrivals and of the start
    assert share.iloc[1:].between(0.49, 0.51).all()


def test_ground_where_the_forces_stand_changes_hands_only_through_a_fight(deployed):
    """A cell with security presence that a gang takes was taken in an attack the guards lost that day; ground
    without presence is still taken by expansion."""
    strong = deployed.replace(gang_attack_rate=0.2, gang_confront_share=1.0, gang_attack_mass=5.0,
                              gang_members_total=15000.0, hnp_total_strength=8000)  # attacks that can win
    model = PortAuPrince(strong, rng=3, days=150)
    guarded_lost, unguarded_lost = set(), 0
    for _ in range(150):
        before = model.controller.copy()
        model.step()
        taken = (before < 0) & (model.controller >= 0)
        guarded = model.security > 0
        guarded_lost |= {(model.day, int(c)) for c in (taken & guarded).nonzero()[0]}
        unguarded_lost += int((taken & ~guarded).sum())
    events = model.event_log.frame(deployed.start_date)
    fights_lost = events[(events["kind"] == "attack") & (events["outcome"] == "taken")]
    assert guarded_lost <= set(zip(fights_lost["day"], fights_lost["cell"]))
    assert unguarded_lost > 0 and len(guarded_lost) > 0
