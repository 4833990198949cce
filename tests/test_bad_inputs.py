"""Bad input to the experiment commands is one line naming the file (or option) and the key, exit 2, before
any work and with nothing written (issue 19, items 15 and 16): a corpus of broken, binary, nested, huge and
unreadable specs, places a store cannot go, and scheduler addresses that are not one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from papsim.cli import main
from papsim.experiments import executors

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = (ROOT / "scenarios" / "mss_as_planned.toml").as_posix()
TOY = ('name = "toy"\nmodel = "ishigami"\nseed = 2\noutputs = ["y"]\n{top}[design]\nmethod = "random"\nn = 24\n{design}'
       '[factors]\nx1 = {{low = -3.0, high = 3.0}}\nx2 = {{low = -3.0, high = 3.0}}\nx3 = {{low = -3.0, high = 3.0}}\n'
       '[analysis]\nmethods = []\n{analysis}')
PAPSIM = (f'name = "ps"\nscenario = "{{scenario}}"\ndays = 10\n{{top}}[design]\nmethod = "grid"\n[factors]\n'
          'mss_target_personnel = {{values = [0, 1000]}}\n')


def toy(top: str = "", design: str = "", analysis: str = "") -> str:
    return TOY.format(top=top, design=design, analysis=analysis)


def papsim(top: str = "", scenario: str = SCENARIO) -> str:
    return PAPSIM.format(top=top, scenario=scenario)


# name -> (the spec: text, bytes, or a function of the folder writing it and returning its path; expected)
SPECS = {
    "not UTF-8": (toy().encode() + b'description = "\xff\xfe"\n', "not UTF-8 text (byte 0xff at offset"),
    "binary": (b"PK\x03\x04\x14\x00\x00\x00\x08\x00\x9c\xfe\x00\x01", "not UTF-8 text"),
    "a NUL in a string": (toy('description = "a\x00b"\n'), "not valid TOML"),
    "nested outputs": (toy().replace('outputs = ["y"]', 'outputs = [["y"]]'), "key 'outputs'"),
    "nested series": (toy('series = [["y"]]\n'), "key 'series'"),
    "nested description": (toy('description = [["x"]]\n'), "key 'description'"),
    "nested days": (toy("days = [[10]]\n"), "key 'days'"),
    "nested n": (toy().replace("n = 24", "n = [[24]]"), "key 'design.n'"),
    "nested success": (toy(analysis='success = [["y < 1"]]\n'), "key 'analysis.success'"),
    "nested methods": (toy(analysis='methods = [["pawn"]]\n').replace("methods = []\n", ""), "key 'analysis.methods'"),
    "nested levels": (papsim().replace("[0, 1000]", "[[0], [1000]]"), "key 'factors.mss_target_personnel.values'"),
    "nested scenario": (papsim().replace(f'"{SCENARIO}"', '[["a.toml"]]'), "key 'scenario'"),
    "unknown series column": (papsim('series = ["no_such_column"]\n'), "key 'series': 'no_such_column' is not"),
    "unknown success name": (toy(analysis='success = ["z < 1"]\n'), "key 'analysis.success[0]': 'z' is not an output"),
    "unknown output": (toy().replace('outputs = ["y"]', 'outputs = ["z"]'), "key 'outputs[0]': 'z' is not an output"),
    "bad success syntax": (toy(analysis='success = ["y <"]\n'), "key 'analysis.success[0]'"),
    # item 15: every size bounded before any work
    "days = 10**6": (papsim().replace("days = 10", "days = 1000000"),
                     "key 'days': an integer number of days in [1, 3650]"),
    "replicates = 10**9": (toy("replicates = 1000000000\n"), "key 'replicates': an integer in [1, 10,000]"),
    "Morris n = 10**7": (toy().replace('"random"', '"morris"').replace("n = 24", "n = 10000000"), "key 'design.n'"),
    "too many runs": (toy("replicates = 5000\n").replace("n = 24", "n = 1000"), "at most 1,000,000"),
    "levels = 10**6": (toy().replace('"random"', '"morris"').replace("n = 24", "n = 10\nlevels = 1000000"),
                       "key 'design.levels'"),
    "bootstrap = 10**9": (toy(analysis="bootstrap = 1000000000\n"), "key 'analysis.bootstrap'"),
    "a 1 MB description": (toy(f'description = "{"d" * 1_000_000}"\n'), "key 'description'"),
    "10,000 outputs": (toy().replace('outputs = ["y"]', "outputs = [" + '"y", ' * 10_000 + "]"), "key 'outputs'"),
}


def _symlink_loop(folder: Path) -> Path:
    loop = folder / "loop.toml"
    os.symlink(loop, loop)
    return loop


def _scenario_loop(folder: Path) -> Path:
    spec = folder / "spec.toml"
    spec.write_text(papsim(scenario=str(_symlink_loop(folder))))
    return spec


def _broken_scenario(folder: Path) -> Path:
    (folder / "broken.toml").write_text("[scenario]\ndays = 'many'\n")
    spec = folder / "spec.toml"
    spec.write_text(papsim(scenario=str(folder / "broken.toml")).replace("days = 10\n", ""))
    return spec


def _a_folder(folder: Path) -> Path:
    (folder / "spec.toml").mkdir()
    return folder / "spec.toml"


SPEC_FILES = {
    "a symlink loop": (_symlink_loop, "cannot read the experiment spec"),
    "a folder": (_a_folder, "cannot read the experiment spec"),
    "a scenario that is a symlink loop": (_scenario_loop, "key 'scenario'"),
    "a scenario that does not load": (_broken_scenario, "key 'scenario': the scenario does not load"),
}


def one_line_exit_2(capsys, argv: list[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and len(err) < 400, err
    return err


def sweep_argv(spec: Path, out: Path, *options: str) -> list[str]:
    return ["sweep", str(spec), "--out", str(out), "--executor", "serial", "-q", *options]


@pytest.mark.parametrize("case", sorted(SPECS))
def test_a_bad_spec_is_one_line_naming_file_and_key(tmp_path, capsys, case):
    content, expected = SPECS[case]
    spec = tmp_path / "spec.toml"
    spec.write_bytes(content if isinstance(content, bytes) else content.encode())
    err = one_line_exit_2(capsys, sweep_argv(spec, tmp_path / "out"))
    assert str(spec) in err and expected in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("case", sorted(SPEC_FILES))
def test_a_spec_file_that_cannot_be_read_is_one_line_naming_it(tmp_path, capsys, case):
    make, expected = SPEC_FILES[case]
    spec = make(tmp_path)
    err = one_line_exit_2(capsys, sweep_argv(spec, tmp_path / "out"))
    assert str(spec) in err and expected in err
    assert not (tmp_path / "out").exists()


def test_an_unreadable_spec_is_named(tmp_path, capsys, monkeypatch):
    spec = tmp_path / "spec.toml"
    spec.write_text(toy())
    real = Path.read_bytes

    def denied(path: Path) -> bytes:  # chmod 000 does not stop root, who runs some test machines
        if path == spec:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", denied)
    err = one_line_exit_2(capsys, sweep_argv(spec, tmp_path / "out"))
    assert f"{spec}: cannot read the experiment spec (Permission denied)" in err


def _out_loop(folder: Path) -> Path:
    os.symlink(folder / "loop", folder / "loop")
    return folder / "loop"


OUTS = {
    "a file": (lambda folder: folder / "spec.toml", "is a file, not a folder"),
    "/dev/null": (lambda folder: Path(os.devnull), "is a file, not a folder"),
    "inside a file": (lambda folder: folder / "spec.toml" / "store", "cannot write a store there"),
    "a symlink loop": (_out_loop, "a symbolic link to nothing (or a loop of links)"),
    "a read-only place": (lambda folder: Path("/proc/self/store"), "cannot write a store there"),
}


@pytest.mark.parametrize("case", sorted(OUTS))
def test_out_where_no_store_can_be_is_one_line(tmp_path, capsys, case):
    where, expected = OUTS[case]
    out = where(tmp_path)
    if case == "a read-only place" and not Path("/proc/self").is_dir():
        pytest.skip("needs /proc")
    spec = tmp_path / "spec.toml"
    spec.write_text(toy())
    before = sorted(tmp_path.rglob("*"))
    err = one_line_exit_2(capsys, sweep_argv(spec, out))
    assert str(out) in err and expected in err and "--out" in err
    assert sorted(tmp_path.rglob("*")) == before


@pytest.mark.parametrize("options, expected", [
    (["--executor", "dask", "--scheduler", "nonsense"], "--scheduler: 'nonsense' is not a Dask scheduler address"),
    (["--executor", "dask", "--scheduler", "http://127.0.0.1:8786"], "unknown address scheme 'http'"),
    (["--executor", "dask", "--scheduler", "tcp://127.0.0.1:99999"], "port 99999 is not in [1, 65535]"),
    (["--executor", "dask", "--scheduler", "tcp://127.0.0.1:1"], "--scheduler: cannot reach a Dask scheduler at"),
    (["--workers", "1000000"], "--workers: 1000000 is not allowed"),
    (["--chunk-runs", "1000000000"], "--chunk-runs: 1000000000 is not allowed"),
    (["--run-timeout", "0"], "--run-timeout: 0 is not allowed"),
    (["--run-timeout", "1e12"], "--run-timeout: 1e+12 is not allowed"),
])
def test_a_bad_option_is_one_line_and_leaves_no_store(tmp_path, capsys, monkeypatch, options, expected):
    pytest.importorskip("distributed")
    monkeypatch.setattr(executors, "CONNECT_SECONDS", 1.0)  # a closed port is retried until then
    spec = tmp_path / "spec.toml"
    spec.write_text(toy())
    argv = sweep_argv(spec, tmp_path / "out", *options)
    if "--executor" in options:
        argv.remove("serial")
        argv.remove("--executor")
    err = one_line_exit_2(capsys, argv)
    assert expected in err
    assert not (tmp_path / "out").exists()


def test_discover_max_boxes_is_bounded(tmp_path, capsys):
    spec = tmp_path / "spec.toml"
    spec.write_text(toy())
    assert main(sweep_argv(spec, tmp_path / "s")) == 0
    err = one_line_exit_2(capsys, ["discover", str(tmp_path / "s"), "--success", "y < 1", "--max-boxes", "1000000"])
    assert "--max-boxes: 1000000 is not allowed" in err
