"""The ODD's generated tables equal what the generator produces from the registry now."""

from pathlib import Path

import pytest

from papsim.present import odd as docs
from papsim.cli import main
from papsim.errors import InputError
from papsim.outcomes import SERIES_NAMES as OUTPUT_NAMES
from papsim.registry import PARAMETERS

ODD = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"


def test_committed_parameter_tables_equal_the_generator_output():
    text = ODD.read_text()
    assert docs.render(text) == text, "docs/ODD.md is out of date: run 'pap-sim docs'"


def test_every_parameter_and_output_is_in_the_tables():
    tables = docs.render_parameter_tables()
    for name in PARAMETERS:
        assert f"| `{name}` |" in tables
    outputs = docs.render_output_table()
    for name in OUTPUT_NAMES:
        assert f"| `{name}` |" in outputs


def test_tables_follow_the_registry_and_the_calibrated_file():
    fake = {"gang_expansion_rate": 0.0123}
    tables = docs.render_parameter_tables(calibrated=fake)
    row = next(line for line in tables.splitlines() if line.startswith("| `gang_expansion_rate` |"))
    assert "| 0.0123 |" in row
    assert f"[{PARAMETERS['gang_expansion_rate'].low:g}, {PARAMETERS['gang_expansion_rate'].high:g}]" in row


def test_rewrite_replaces_only_the_marked_section(tmp_path):
    path = tmp_path / "odd.md"
    path.write_text("# Title\nbefore\n<!-- params:start -->\nstale\n<!-- params:end -->\nafter\n")
    assert docs.update(path)
    text = path.read_text()
    assert text.startswith("# Title\nbefore\n<!-- params:start -->\n") and text.endswith("<!-- params:end -->\nafter\n")
    assert "stale" not in text and "`gang_expansion_rate`" in text
    assert not docs.update(path)  # idempotent
    assert main(["docs", "--file", str(path), "--check"]) == 0
    path.write_text(text.replace("`gang_expansion_rate`", "`renamed`"))
    assert main(["docs", "--file", str(path), "--check"]) == 1


def test_missing_markers_are_an_input_error(tmp_path):
    path = tmp_path / "odd.md"
    path.write_text("no markers here\n")
    with pytest.raises(InputError):
        docs.update(path)
    assert main(["docs", "--file", str(path)]) == 2
