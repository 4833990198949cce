"""A spec or a command line cannot run code, import any callable, write outside its store or open the app
to the network by accident: each attempt is one InputError line (exit 2) and leaves nothing behind."""

import pytest

from papsim.cli import main
from papsim.experiments import Spec
from papsim.experiments.models import resolve

TOY = 'name = "toy"\nmodel = "ishigami"\nseed = 2\noutputs = ["y"]\n[design]\nmethod = "random"\nn = 24\n' \
      '[factors]\nx1 = {low = -3.0, high = 3.0}\nx2 = {low = -3.0, high = 3.0}\nx3 = {low = -3.0, high = 3.0}\n'


def one_line_exit_2(capsys, argv: list[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and len(err) < 400, err
    return err


@pytest.fixture
def store(tmp_path):
    spec = tmp_path / "toy.toml"
    spec.write_text(TOY)
    assert main(["sweep", str(spec), "--out", str(tmp_path / "s"), "--executor", "serial", "-q"]) == 0
    return tmp_path / "s"


@pytest.mark.parametrize("template", ["@table.to_csv('{file}') > 0", "__import__('os').system('touch {file}')",
                                      "y.to_csv('{file}') > 0", "y < 1 and @pd.read_csv('{file}')"])
def test_a_success_expression_on_the_command_line_runs_no_code(store, tmp_path, capsys, template):
    target = tmp_path / "pwned"
    err = one_line_exit_2(capsys, ["discover", str(store), "--success", template.format(file=target), "-q"])
    assert "position" in err
    assert not target.exists()


def test_a_success_expression_in_a_spec_runs_no_code_at_load_or_in_analyze(store, tmp_path, capsys):
    target = tmp_path / "pwned"
    spec = tmp_path / "evil.toml"
    spec.write_text(TOY + f'[analysis]\nsuccess = ["__import__(\'os\').system(\'touch {target}\')"]\n')
    err = one_line_exit_2(capsys, ["sweep", str(spec), "--out", str(tmp_path / "e"), "--executor", "serial"])
    assert "analysis.success[0]" in err and not target.exists() and not (tmp_path / "e").exists()
    # a store somebody sent: its spec.json holds the expression
    stored = store / "spec.json"
    stored.write_text(stored.read_text().replace('"success": []',
                                                 f'"success": ["@table.to_csv(\'{target}\') > 0"]'))
    assert "to_csv" in stored.read_text()
    assert main(["analyze", str(store), "-q"]) == 2
    assert not target.exists()


@pytest.mark.parametrize("model", ["os:system", "builtins:exec", "subprocess:call", "numpy:load"])
def test_a_spec_names_only_registered_models(tmp_path, capsys, model):
    spec = tmp_path / "evil.toml"
    spec.write_text(TOY.replace('"ishigami"', f'"{model}"'))
    err = one_line_exit_2(capsys, ["sweep", str(spec), "--out", str(tmp_path / "e"), "--executor", "serial"])
    assert "not a registered model" in err and "ishigami" in err and not (tmp_path / "e").exists()


def test_registered_models_resolve_by_name_and_import_path():
    for name in ("ishigami", "papsim.experiments.models:ishigami", "g_function"):
        spec = Spec.from_dict({"name": "x", "model": name, "factors": {"x1": {"values": [0, 1]}}})
        assert callable(resolve(spec))


@pytest.mark.parametrize("name", ["{tmp}/elsewhere", "../up", "a/b", ".hidden", "x" * 65, "a b", "-rf"])
def test_a_spec_name_is_a_short_slug(tmp_path, capsys, monkeypatch, name):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    spec = work / "named.toml"
    spec.write_text(f'name = "{name.format(tmp=tmp_path)}"\n' + TOY.split("\n", 1)[1])
    err = one_line_exit_2(capsys, ["sweep", str(spec), "--executor", "serial", "-q"])
    assert "key 'name'" in err
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["named.toml", "work"]  # nothing written anywhere


def test_a_megabyte_name_gives_a_short_line(tmp_path, capsys):
    spec = tmp_path / "big.toml"
    spec.write_text(f'name = "{"n" * 1_000_000}"\n' + TOY.split("\n", 1)[1])
    err = one_line_exit_2(capsys, ["sweep", str(spec), "--out", str(tmp_path / "s"), "--executor", "serial"])
    assert "key 'name'" in err and "…" in err


def test_a_megabyte_expression_gives_a_short_line(store, capsys):
    err = one_line_exit_2(capsys, ["discover", str(store), "--success", "y < 1 and " * 100_000 + "y < 1"])
    assert "at most" in err


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.1", "example.org"])
def test_viz_on_the_network_needs_allow_network(capsys, monkeypatch, host):
    from papsim.present import app

    monkeypatch.setattr(app, "serve", lambda *a, **kw: pytest.fail("served"))
    err = one_line_exit_2(capsys, ["viz", "--host", host])
    assert "--allow-network" in err and "without authentication" in err and "runs the model" in err


def test_viz_with_allow_network_says_what_it_exposes(capsys, monkeypatch):
    from papsim.present import app

    served = []
    monkeypatch.setattr(app, "serve", lambda *a, **kw: served.append(a) or 0)
    assert main(["viz", "--host", "0.0.0.0", "--port", "0", "--allow-network"]) == 0
    assert served and "without authentication" in capsys.readouterr().err
    assert main(["viz", "--host", "127.0.0.1", "--port", "0"]) == 0 and len(served) == 2
