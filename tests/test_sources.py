"""The sources ship with the project: nothing points outside the repository, and every source document
cited in the code or a scenario is listed, with its publisher and date, in docs/sources.md."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = re.compile(r"\b(00\d_[0-9a-f]{16})\b")
OUTSIDE = re.compile(r"(\.\./shared/|\bshared/(record|seeds)/)")


def tracked(*suffixes: str) -> list[Path]:
    names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    return [ROOT / n for n in names if n.endswith(suffixes) and (ROOT / n).is_file()]


def test_nothing_points_outside_the_repository():
    offenders = [f"{p.relative_to(ROOT)}:{i}" for p in tracked(".py", ".md", ".toml", ".ipynb")
                 if p.name != "test_sources.py"
                 for i, line in enumerate(p.read_text().splitlines(), 1) if OUTSIDE.search(line)]
    assert not offenders, offenders


def test_every_cited_source_document_is_in_the_bibliography():
    listed = set(SEED.findall((ROOT / "docs" / "sources.md").read_text()))
    cited = {m for p in tracked(".py", ".toml", ".pyx") for m in SEED.findall(p.read_text())}
    assert cited, "the code cites no source document: the pattern is wrong"
    assert cited <= listed, sorted(cited - listed)


def test_the_record_ships_with_the_project():
    for name in ("haiti-record.md", "haiti-record-additions.md"):
        text = (ROOT / "docs" / "record" / name).read_text()
        assert "[V]" in text and "[S]" in text, f"{name}: the record's rows carry their quality marks"
