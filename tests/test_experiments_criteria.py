"""Success criteria: a grammar of comparisons joined by and/or/not, parsed (never evaluated as code), with
one-line errors naming the position; and the options that used to be accepted silently (issue 19, item 17)."""

import math

import pandas as pd
import pytest

from papsim.cli import main
from papsim.errors import InputError
from papsim.experiments import Spec, models
from papsim.experiments.criteria import CriterionError, evaluate, rename

TABLE = pd.DataFrame({"y": [0.1, 0.5, math.nan, 0.9], "k": [1, 60, 3, 4]})


@pytest.mark.parametrize("expression, expected", [
    ("y < 0.4", [1, 0, 0, 0]),
    ("0.4 > y", [1, 0, 0, 0]),
    ("y < 0.4 and k < 50", [1, 0, 0, 0]),
    ("y < 0.4 & k < 50", [1, 0, 0, 0]),
    ("y > 0.8 or k > 50", [0, 1, 0, 1]),
    ("y > 0.8 | k > 50", [0, 1, 0, 1]),
    ("k < 2 or k > 50 and y > 0.8", [1, 0, 0, 0]),  # and binds tighter than or
    ("(k < 2 or k > 50) and y > 0.4", [0, 1, 0, 0]),
    ("not y < 0.4 and k < 50", [0, 0, 0, 1]),  # not binds tighter than and
    ("not (y < 0.4 and k < 50)", [0, 1, 0, 1]),
    ("0.2 < y <= 0.9", [0, 1, 0, 1]),
    ("k == 60", [0, 1, 0, 0]),
    ("k != 60", [1, 0, 1, 1]),
    ("y >= -1e3", [1, 1, 0, 1]),  # a run missing a value the criterion names does not meet it
])
def test_the_grammar(expression, expected):
    assert evaluate(expression, TABLE).tolist() == [bool(v) for v in expected]


@pytest.mark.parametrize("expression, position", [
    ("y <", 3), ("y < 0.1 k", 8), ("(y < 1", 6), ("y < 1)", 5), ("y < k", 4), ("1 < 2", 4),
    ("y < 1 and", 9), ("y.sum() > 0", 1), ("@t > 0", 0), ("y = 1", 2), ("", 0),
])
def test_what_is_not_a_criterion_is_one_line_with_the_position(expression, position):
    with pytest.raises(CriterionError) as info:
        evaluate(expression, TABLE)
    message = str(info.value)
    assert "\n" not in message and f"position {position}" in message and f"'{expression}'" in message


def test_an_unknown_name_is_an_input_error_listing_the_columns():
    with pytest.raises(InputError, match="no output or factor 'z'.*columns: y, k"):
        evaluate("y < 1 or z > 2", TABLE)


def test_rename_keeps_the_text_as_written():
    assert rename("(a_horizon < 0.5) & not b>=1e-3", str.upper) == "(A_HORIZON < 0.5) & not B>=1e-3"


def test_spec_criteria_resolve_horizon_names_and_refuse_bad_syntax():
    base = {"name": "x", "model": "ishigami", "days": 100, "design": {"method": "random", "n": 40},
            "factors": {"x1": {"low": 0, "high": 1}}}
    spec = Spec.from_dict(base | {"analysis": {"success": ["y_horizon < 1 and x1 > 0.5"]}})
    assert spec.analysis.success == ("y_day100 < 1 and x1 > 0.5",)
    with pytest.raises(InputError, match=r"key 'analysis.success\[0\]': cannot read .* position 1 "):
        Spec.from_dict(base | {"analysis": {"success": ["y.to_csv('f') > 0"]}})


TOY = 'model = "ishigami"\nseed = 2\noutputs = {outputs}\n[design]\nmethod = "random"\nn = 24\n' \
      '[factors]\nx1 = {{low = -3.0, high = 3.0}}\nx2 = {{low = -3.0, high = 3.0}}\n' \
      'x3 = {{low = -3.0, high = 3.0}}\n[analysis]\nmethods = []\n'


def sweep(tmp_path, *options, outputs='["y"]') -> int:
    spec = tmp_path / "toy.toml"
    spec.write_text(TOY.format(outputs=outputs))
    return main(["sweep", str(spec), "--out", str(tmp_path / "s"), "--executor", "serial", "-q", *options])


def test_an_output_a_model_does_not_declare_is_refused_before_any_run(tmp_path, capsys):
    assert sweep(tmp_path, outputs='["y", "no_such_output"]') == 2
    err = capsys.readouterr().err
    assert "key 'outputs[1]': 'no_such_output' is not an output of the model (its outputs: y)" in err
    assert not (tmp_path / "s").exists()


def undeclared(factors: dict, seed: int) -> dict:
    """Ishigami's x1 alone, from a model that does not declare its outputs."""
    return {"y": factors["x1"]}


def test_an_unknown_output_of_an_undeclared_model_is_said_after_the_runs_and_exits_1(tmp_path, capsys,
                                                                                      monkeypatch):
    monkeypatch.setitem(models.MODELS, "undeclared", undeclared)
    spec = tmp_path / "toy.toml"
    spec.write_text(TOY.format(outputs='["y", "no_such_output"]').replace('"ishigami"', '"undeclared"'))
    assert main(["sweep", str(spec), "--out", str(tmp_path / "s"), "--executor", "serial", "-q"]) == 1
    err = capsys.readouterr().err
    assert "key 'outputs': 'no_such_output' is not an output of the model (its outputs: y)" in err


def test_retry_failed_needs_resume(tmp_path, capsys):
    assert sweep(tmp_path, "--retry-failed") == 2
    assert "--retry-failed: only with --resume" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize("boxes", ["0", "-1"])
def test_max_boxes_must_be_positive(tmp_path, capsys, boxes):
    assert sweep(tmp_path) == 0
    assert main(["discover", str(tmp_path / "s"), "--success", "y < 1", "--max-boxes", boxes]) == 2
    assert f"--max-boxes: {boxes} is not allowed" in capsys.readouterr().err
