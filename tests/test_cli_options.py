"""What every command shares: ``-q`` (nothing printed but warnings and errors), help text on every option,
one line for an unknown ``--group``, and a quiet end when the reader of the output closes it early."""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from papsim.cli import COMMANDS, MODULES, build_parser, main
from papsim.registry import PARAMETERS

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = (ROOT / "scenarios" / "mss_as_planned.toml").as_posix()
SPEC = f"""
name = "quiet"
scenario = "{SCENARIO}"
days = 5
replicates = 1
seed = 3
outputs = ["gang_population_share_final"]
[design]
method = "random"
n = 12
[factors]
mss_target_personnel = {{ low = 0, high = 5000 }}
[analysis]
methods = []
"""


def subcommands() -> dict[str, argparse.ArgumentParser]:
    """Every subcommand of ``pap-sim`` and its parser."""
    parser = build_parser()
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict[str, Path]:
    """A spec, a small store and a run folder for the commands that read them."""
    folder = tmp_path_factory.mktemp("made")
    spec = folder / "quiet.toml"
    spec.write_text(SPEC)
    assert main(["sweep", str(spec), "--out", str(folder / "store"), "--executor", "serial", "-q"]) == 0
    assert main(["run", "--days", "2", "--out", str(folder / "run"), "-q"]) == 0
    return {"spec": spec, "store": folder / "store", "run": folder / "run"}


def quiet_case(name: str, made: dict[str, Path], tmp: Path) -> list[str]:
    """Cheap arguments that make ``name`` do its work (the output goes under ``tmp``); a new command needs one."""
    serial = ["--executor", "serial"]
    return {
        "run": ["run", "--days", "2", "--out", str(tmp / "run")],
        "library": ["library"],
        "params": ["params", "--group", "mss"],
        "sweep": ["sweep", str(made["spec"]), "--out", str(tmp / "store"), *serial],
        "sensitivity": ["sensitivity", str(made["spec"]), "--out", str(tmp / "store"), *serial],
        "analyze": ["analyze", str(made["store"])],
        "discover": ["discover", str(made["store"]), "--success", "gang_population_share_final < 2",
                     "--holdout", "0"],
        "compare": ["compare", "no_mission", "mss_as_planned", "--replicates", "1", "--days", "3",
                    "--out", str(tmp / "compare"), *serial],
        "calibrate": ["calibrate", "--budget", "4", "--particles", "2", "--replicates", "1", "--out",
                      str(tmp / "calibration"), "--calibrated", str(tmp / "calibrated.toml"), *serial],
        "docs": ["docs", "--file", str(shutil.copy(ROOT / "docs" / "ODD.md", tmp / "ODD.md"))],
        "report": ["report", str(made["run"]), "--out", str(tmp / "report.html")],
        "viz": ["viz", "--port", "0"],
    }[name]


def test_every_subcommand_takes_q():
    commands = subcommands()
    assert {"run", "params", "viz"} <= set(commands)
    assert [name for name, sub in commands.items() if "-q" not in sub._option_string_actions] == []


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_quiet_prints_nothing(name, made, tmp_path, capsys, monkeypatch):
    if name == "viz":  # everything but serving: the server itself is tested in test_viz_server.py
        from papsim.present import app
        monkeypatch.setattr(app, "serve", lambda listener, open_url=None: 0)
    capsys.readouterr()
    assert main([*quiet_case(name, made, tmp_path), "-q"]) == 0
    out, err = capsys.readouterr()
    assert out == "", f"{name} -q printed {out[:200]!r}"
    chatter = [line for line in err.splitlines() if not line.startswith(("pap-sim: warning:", "warning:"))]
    assert chatter == [], f"{name} -q printed more than warnings on stderr"  # warnings still say what is wrong


def test_every_option_has_help_text():
    parser = build_parser()
    missing = [f"pap-sim {a.option_strings}" for a in parser._actions if not a.help]
    for name, sub in subcommands().items():
        missing += [f"{name} {a.option_strings or a.dest}" for a in sub._actions if not (a.help or "").strip()]
    assert missing == []


def test_an_unknown_group_is_one_line_listing_the_groups(capsys):
    assert main(["params", "--group", "nonsense"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    groups = {p.group for p in PARAMETERS.values()}
    assert len(err) == 1 and "'nonsense'" in err[0] and all(g in err[0] for g in groups)
    assert main(["params", "--group", "mss", "--format", "csv"]) == 0
    rows = capsys.readouterr().out.strip().splitlines()[1:]
    assert rows and all(",mss," in row for row in rows)
    assert len(rows) == sum(p.group == "mss" for p in PARAMETERS.values())


def test_help_lists_the_groups():
    text = " ".join(subcommands()["params"].format_help().split())
    assert all(group in text for group in {p.group for p in PARAMETERS.values()})


def pap_sim(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "papsim", *args], cwd=ROOT, stderr=subprocess.PIPE, text=True,
                            **kwargs)


def test_a_reader_that_closes_before_reading_ends_it_quietly():
    read, write = os.pipe()
    os.close(read)  # as a reader that has gone before anything was written
    proc = pap_sim("params", "--format", "csv", stdout=write)
    os.close(write)
    _, err = proc.communicate(timeout=120)
    assert err == "" and proc.returncode == 141


def test_a_reader_of_one_line_ends_it_quietly():
    proc = pap_sim("params", "--format", "csv", stdout=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()  # as `head -1`
    err = proc.stderr.read()
    proc.wait(timeout=120)
    assert first.startswith("name,default,unit")
    assert err == "" and proc.returncode in (0, 141)  # 0 when everything fitted in the pipe before it closed


def test_the_command_table_names_the_module_of_every_subcommand():
    added = {}
    for module in MODULES:
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers()
        importlib.import_module(f"papsim.cli.{module}").register(sub)
        added |= dict.fromkeys(sub.choices, module)
    assert added == COMMANDS and list(subcommands()) == list(COMMANDS)  # the order of the help too


def test_a_call_reads_only_the_module_of_its_command():
    code = ("import sys; from papsim.cli import build_parser; build_parser(['params', '--help-not-parsed']); "
            "print(sorted(m for m in sys.modules if m.startswith('papsim.cli.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['papsim.cli.args', 'papsim.cli.params']"
