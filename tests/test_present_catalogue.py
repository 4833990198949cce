"""Every output a run records and every key of its summary has an entry in the catalogue, so every view
(run summary, report, figures, app) can label and format it."""

from __future__ import annotations

import papsim
from papsim.outcomes import BY_NAME, HEADLINE, outcome_of
from papsim.present import format as fmt
from papsim.scenario import SCENARIO_DIR


def test_every_series_column_and_summary_key_of_a_run_is_in_the_catalogue():
    result = papsim.run(SCENARIO_DIR / "mss_as_planned.toml", seed=2, days=190)
    columns = [c for c in result.timeseries.columns if c not in ("day", "date")]
    missing = [c for c in columns if c not in BY_NAME]
    assert not missing, f"series without a catalogue entry: {missing}"
    unknown = []
    for key in result.summary:
        try:
            outcome_of(key)
        except KeyError:
            unknown.append(key)
    assert not unknown, f"summary keys without a catalogue entry: {unknown}"
    assert any(k.endswith("_day180") for k in result.summary)  # the horizons are covered too
    for key, value in result.summary.items():
        text = fmt.value(value, key)
        assert text and "e+" not in text and "inf" not in text and "nan" not in text, (key, value, text)


def test_the_headline_is_in_the_catalogue():
    assert all(name in BY_NAME for name in HEADLINE)
