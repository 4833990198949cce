"""The events log and the attribution of deaths: every operation, execution, attack and vigilante killing is a row
with who started it and who was killed, the rows add up to the run's series, and the deaths by perpetrator add
up to the deaths by victim."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import papsim
from papsim.events import COLUMN_NAMES, EventLog
from papsim.mechanisms.operations import HNP_DEATH_SHARE, RAID_LOG

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def violent_run():
    """A year with operations and attacks (attacks made frequent, on every target however well guarded)."""
    scenario = papsim.load_scenario(ROOT / "scenarios" / "baseline.toml").replace(
        gang_attack_rate=0.2, gang_confront_share=1.0, gang_attack_resolve=0.0)
    return papsim.run(scenario, seed=2, days=200)


def test_every_operation_and_attack_is_one_row(violent_run):
    ts, events = violent_run.timeseries, violent_run.events
    assert tuple(events.columns) == COLUMN_NAMES
    per_day = events.groupby(["day", "kind"]).size().unstack(fill_value=0).reindex(ts["day"], fill_value=0)
    assert (per_day["operation"].to_numpy() == ts["operations"].to_numpy()).all()
    assert (per_day["attack"].to_numpy() == ts["gang_attacks"].to_numpy()).all()
    assert events["day"].is_monotonic_increasing and (events["day"] >= 1).all()
    assert set(events["initiator"]) == {"security forces", "gang", "vigilantes"}
    assert set(events.loc[events["kind"] == "execution", "initiator"]) == {"security forces"}
    assert set(events.loc[events["kind"] == "operation", "outcome"]) <= {"cleared", "held"}
    assert set(events.loc[events["kind"] == "attack", "outcome"]) <= {"taken", "repelled"}
    ops = events[events["kind"] == "operation"]
    assert (ops["outcome"] == "cleared").sum() == ts["cells_cleared"].sum()


def test_the_rows_add_up_to_the_series(violent_run):
    ts, events = violent_run.timeseries, violent_run.events
    assert events["killed_gang"].sum() == pytest.approx(ts["deaths_gang"].sum())
    assert events["killed_hnp"].sum() == pytest.approx(ts["deaths_hnp"].sum())
    assert events["killed_mss"].sum() == pytest.approx(ts["deaths_mss"].sum())
    assert events["arrested"].sum() == pytest.approx(ts["arrests"].sum())
    lynchings = events["kind"] == "vigilante killing"
    assert events.loc[~lynchings, "killed_residents"].sum() == pytest.approx(ts["deaths_civilian_operations"].sum())
    assert events.loc[events["kind"] == "execution", "killed_gang"].sum() == pytest.approx(ts["executions"].sum())
    assert ts["executions"].sum() > 0 and lynchings.any()
    wounded = events["wounded_hnp"] + events["wounded_mss"]
    killed = events["killed_hnp"] + events["killed_mss"]
    assert wounded.sum() == pytest.approx(killed.sum() * (1 - HNP_DEATH_SHARE) / HNP_DEATH_SHARE)
    ratio = violent_run.scenario.params["injured_per_killed"]  # residents wounded by the same causes
    assert events["wounded_residents"].sum() == pytest.approx(ratio * events["killed_residents"].sum())
    assert ts["injured_civilian"].sum() == pytest.approx(ratio * ts["deaths_civilian"].sum())
    assert ts["injured_civilian"].sum() > 0
    assert (events["mss_personnel"] <= events["personnel"]).all() and (events["fighters"] >= 0).all()


def test_each_event_lies_in_the_commune_of_its_cell(violent_run):
    city, events = violent_run.city, violent_run.events
    codes = np.array(city.commune_codes)[city.cell_commune[events["cell"].to_numpy()]]
    assert (events["commune_code"].to_numpy() == codes).all()
    assert set(events["gang"]) <= {gang.name for gang in city.gangs}


def test_deaths_by_perpetrator_add_up_to_deaths_by_victim(violent_run):
    ts, events = violent_run.timeseries, violent_run.events
    victims = ts[["deaths_civilian", "deaths_gang", "deaths_hnp", "deaths_mss"]].sum(axis=1)
    assert np.allclose(ts["deaths_by_gangs"] + ts["deaths_by_security"] + ts["deaths_by_vigilantes"], victims)
    # the vigilantes killed the gang members of their rows and residents (at most as drawn)
    lynchings = events[events["kind"] == "vigilante killing"].groupby("day")[["killed_gang", "killed_residents"]].sum()
    lynchings = lynchings.reindex(ts["day"], fill_value=0.0)
    residents_by_vigilantes = ts["deaths_by_vigilantes"].to_numpy() - lynchings["killed_gang"].to_numpy()
    assert (residents_by_vigilantes >= -1e-9).all()
    assert (residents_by_vigilantes <= lynchings["killed_residents"].to_numpy() + 1e-9).all()
    # the security forces killed the other gang members and, in their operations, residents (at most as drawn)
    in_operations = events[events["kind"] == "operation"].groupby("day")["killed_residents"].sum()
    by_vigilantes = lynchings["killed_gang"].to_numpy()
    residents_by_security = (ts["deaths_by_security"] - ts["deaths_gang"]).to_numpy() + by_vigilantes
    assert (residents_by_security >= -1e-9).all()
    assert (residents_by_security <= in_operations.reindex(ts["day"], fill_value=0.0).to_numpy() + 1e-9).all()
    assert ts["deaths_by_gangs"].sum() > ts["deaths_hnp"].sum() + ts["deaths_mss"].sum()


def test_an_empty_log_has_the_columns_and_their_types():
    log = EventLog(np.zeros(3, np.int64), ("HT0111",), ("Port-au-Prince",), ("G9",), 0.4)
    empty = log.frame("2024-01-01")
    assert tuple(empty.columns) == COLUMN_NAMES and len(empty) == 0
    assert empty["day"].dtype == np.int64 and pd.api.types.is_datetime64_any_dtype(empty["date"])


def test_a_logged_operation_reads_back_by_name():
    log = EventLog(np.array([0, 0, 1]), ("HT0111", "HT0112"), ("Port-au-Prince", "Delmas"), ("G9", "G-Pep"), 0.4)
    row = dict.fromkeys(RAID_LOG, 0.0) | {"cell": 2, "gang": 1, "personnel": 60, "mss_personnel": 20,
                                          "gang_killed": 3, "arrested": 2, "hnp_losses": 1.23, "cleared": 1,
                                          "civilians_killed": 5}
    log.add("operation", 5, np.array([[row[name] for name in RAID_LOG]], dtype=float))
    out = log.frame("2024-01-01").iloc[0]
    assert (out["day"], out["commune"], out["gang"], out["outcome"]) == (5, "Delmas", "G-Pep", "cleared")
    assert out["date"] == pd.Timestamp("2024-01-06") and out["killed_gang"] == 3 and out["arrested"] == 2
    assert out["killed_hnp"] + out["wounded_hnp"] == pytest.approx(1.23)
    assert out["killed_residents"] == 5 and out["wounded_residents"] == pytest.approx(2.0)  # 0.4 per killed


def test_the_communes_deaths_by_perpetrator_add_up_to_the_city(violent_run):
    ts, communes = violent_run.timeseries.set_index("day"), violent_run.communes
    for who in ("security", "vigilantes", "gangs"):
        per_day = communes.groupby("day")[f"commune_deaths_by_{who}"].sum()
        np.testing.assert_allclose(per_day.to_numpy(), ts[f"deaths_by_{who}"].to_numpy(), atol=1e-9)
        assert per_day.sum() > 0
    # where the operations were, the security forces killed: each operation's commune has its gang dead
    ops = violent_run.events[(violent_run.events["kind"] == "operation") & (violent_run.events["killed_gang"] > 0)]
    row = ops.iloc[0]
    day = communes[(communes["day"] == row["day"]) & (communes["commune_code"] == row["commune_code"])]
    assert day["commune_deaths_by_security"].iloc[0] >= row["killed_gang"]
