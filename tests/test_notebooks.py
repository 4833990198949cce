"""The student notebooks run top to bottom (at small sizes), are stored without outputs, say what their full
size costs, and start a new store when their design changes."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
EXPECTED = ("01_run_and_explore.ipynb", "02_compare_deployments.ipynb", "03_sensitivity.ipynb")


def test_the_three_notebooks_exist():
    assert [p.name for p in NOTEBOOKS] == list(EXPECTED)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: strip the outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_has_a_full_size_switch_that_says_how_long(path):
    first = next(cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code")
    assert "\nFULL_SIZE = False\n" in first
    assert "FULL_SIZE = True:" in first and "minute" in first  # what the full size costs, before it is chosen


def execute(nb: nbformat.NotebookNode, path: Path) -> None:
    """Run a notebook in a fresh kernel (at the sizes PAP_SIM_NOTEBOOK_SMALL sets)."""
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()


@pytest.fixture
def small(tmp_path, monkeypatch) -> Path:
    """The test sizes, and the notebooks' files written under ``tmp_path``."""
    monkeypatch.setenv("PAP_SIM_NOTEBOOK_SMALL", "1")
    monkeypatch.setenv("PAP_SIM_NOTEBOOK_OUT", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    return tmp_path


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, small):
    nb = nbformat.read(path, as_version=4)
    execute(nb, path)
    images = sum(1 for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
                 if "image/png" in out.get("data", {}) or "image/gif" in out.get("data", {}))
    errors = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
              if out.get("output_type") == "error"]
    assert not errors
    assert images >= 3, f"{path.name}: expected figures in the outputs, got {images}"
    assert os.listdir(small), "the notebook should write its files under PAP_SIM_NOTEBOOK_OUT"


def test_a_changed_design_starts_a_new_store(small):
    """With its design edited, a notebook starts new stores rather than refusing to resume the old ones."""
    path = NOTEBOOKS[EXPECTED.index("03_sensitivity.ipynb")]
    execute(nbformat.read(path, as_version=4), path)
    edited = nbformat.read(path, as_version=4)
    first = next(cell for cell in edited.cells if cell.cell_type == "code")
    assert "DAYS = 30 if SMALL" in first.source
    first.source = first.source.replace("DAYS = 30 if SMALL", "DAYS = 20 if SMALL")
    execute(edited, path)  # would stop with "refusing to resume" if the old store were reused
    errors = [out for cell in edited.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
              if out.get("output_type") == "error"]
    assert not errors
    assert len(list(small.glob("morris-*/manifest.json"))) == 2 and len(list(small.glob("sobol-*/manifest.json"))) == 2
