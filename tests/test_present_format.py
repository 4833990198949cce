"""The one formatter: every kind of outcome, missing values, milestones never reached, never inf or 1e+04."""

from __future__ import annotations

import math

import numpy as np
import pytest

from papsim.outcomes import BY_NAME
from papsim.present import format as fmt


@pytest.mark.parametrize(("v", "kind", "text"), [
    (0.589, "share", "58.9%"), (1.0, "share", "100.0%"), (0.0, "share", "0.0%"),
    (58_900_000.0, "money", "$58.9M"), (1_200_000_000.0, "money", "$1.20bn"), (12_300.0, "money", "$12,300"),
    (999_990_000.0, "money", "$1.00bn"), (999_960.0, "money", "$1.0M"), (-2_500_000.0, "money", "-$2.5M"),
    (11_863.0, "count", "11,863"), (11_862.6, "count", "11,863"), (2.5, "count", "2.5"), (0, "count", "0"),
    (412.0, "days", "412"), (412.6, "days", "413"), (math.nan, "days", "never"), (math.inf, "days", "never"),
    (None, "days", "never"), (math.nan, "share", "–"), (None, "money", "–"), (math.inf, "money", "–"),
    (-math.inf, "count", "–"), (True, "flag", "yes"), (0, "flag", "no"), (np.bool_(True), None, "yes"),
    (2.0, "index", "2"), (11_863.0, None, "11,863"), (0.000123, None, "0.000123"), (11_863.7, None, "11,864"),
    ("text", None, "text"),
])
def test_values_of_every_kind(v, kind, text):
    assert fmt.value(v, kind) == text


def test_the_kind_comes_from_the_catalogue_by_name_summary_key_or_column():
    assert fmt.value(0.25, "trust") == fmt.value(0.25, "trust_final") == fmt.value(0.25, BY_NAME["trust"]) == "25.0%"
    assert fmt.value(0.25, "trust_day365") == fmt.value(0.25, "trust_final_median") == "25.0%"
    assert fmt.value(3e7, "funds_spent_to_day180") == fmt.value(3e7, "cost_full_usd") == "$30.0M"
    assert fmt.value(math.nan, "days_to_transition") == "never"
    assert fmt.value(4e6, "something_usd") == "$4.0M" and fmt.kind_of("not_an_outcome") is None


def test_intervals_are_formatted_like_their_median():
    assert fmt.interval(0.589, 0.512, 0.63, "share") == "58.9% [51.2%–63.0%]"
    assert fmt.interval(5.89e7, 1.2e9, 12_300, "money") == "$58.9M [$1.20bn–$12,300]"
    assert fmt.interval(200.0, 150.0, math.inf, "days_to_decisive") == "200 [150–never]"
    assert fmt.interval(math.inf, math.inf, math.inf, "cost_per_person_freed_usd") == "–"
    assert fmt.interval(3.0, None, None, "count") == "3"


@pytest.mark.parametrize("v", [1.186e4, 1e15, 1e-9, -3.3e-5, 123456789.123, math.inf, -math.inf, math.nan])
def test_never_scientific_notation_nor_inf(v):
    for kind in (None, *fmt.KINDS):
        text = fmt.value(v, kind)
        assert "e+" not in text and "e-" not in text and "inf" not in text.lower() and "nan" not in text.lower()


def test_table_cells_keep_seeds_and_identifiers_as_they_are():
    assert fmt.cell(123456, "seed") == "123456" and fmt.cell(20001.0, "root seed") == "20001"
    assert fmt.cell(12, "replicate") == "12" and fmt.cell(0.5, "gang_population_share_final") == "50.0%"
    assert fmt.cell(12_345_678.0, "funds_spent_final_median") == "$12.3M"
