"""Outputs by commune: one row per day and commune, values that add up to the city's, and summary keys the
catalogue knows, in runs, run folders and sweep stores."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import papsim
from papsim.experiments.models import PapSim
from papsim.outcomes import COMMUNE_SERIES_NAMES, commune_key, outcome_of

METRO = ("HT0111", "HT0112", "HT0113", "HT0114", "HT0115", "HT0116", "HT0117", "HT0118", "HT0131")


@pytest.fixture(scope="module")
def result(baseline):
    return papsim.run(baseline, seed=3, days=60)


def test_one_row_per_day_and_commune(result):
    c = result.communes
    assert len(c) == 61 * 9
    assert tuple(c[c["day"] == 0]["commune_code"]) == METRO
    assert set(COMMUNE_SERIES_NAMES) <= set(c.columns)
    for share in ("commune_gang_territory_share", "commune_gang_population_share"):
        assert c[share].between(0, 1).all()


def test_communes_add_up_to_the_city(result):
    c, ts = result.communes, result.timeseries
    per_day = c.groupby("day")
    assert np.allclose(per_day["commune_civilians_killed"].sum().to_numpy(), ts["deaths_civilian"].to_numpy(),
                       atol=1e-6)
    personnel = per_day["commune_security_personnel"].sum().to_numpy()
    assert (personnel <= ts["hnp_personnel"].to_numpy() + ts["mss_personnel"].to_numpy() + 1e-9).all()
    assert personnel[1:].max() > 0  # units are placed somewhere every day
    # residents in gang cells, summed over communes, give the city's share
    city = result.city
    residents_2019 = np.bincount(city.cell_commune, weights=city.cell_population)
    assert residents_2019.sum() == pytest.approx(3_741_915, abs=1)
    last = c[c["day"] == 60]
    assert last["commune_displaced_hosted"].sum() > 0


def test_the_summary_carries_every_commune_at_the_end(result):
    s = result.summary
    for name in COMMUNE_SERIES_NAMES:
        for code in METRO:
            key = commune_key(name, code)
            assert key in s and outcome_of(key).name == name
    last = result.communes[result.communes["day"] == 60].set_index("commune_code")
    assert s[commune_key("commune_gang_population_share", "HT0111")] == pytest.approx(
        last.loc["HT0111", "commune_gang_population_share"])
    total = result.communes[result.communes["day"] > 0].groupby("commune_code")["commune_civilians_killed"].sum()
    assert s[commune_key("commune_civilians_killed", "HT0117")] == pytest.approx(total["HT0117"])


def test_a_sweep_row_carries_the_communes(baseline):
    summary = PapSim(scenarios=str(baseline.path), days=20, series=False)({"gang_members_total": 6000.0}, 1)
    row = pd.Series(summary)
    assert all(commune_key("commune_gang_territory_share", code) in row.index for code in METRO)
