"""Every registry parameter is read, by a mechanism that declares it or by the model's own declared list.

A static check of the sources: each mechanism module's ``PARAMETERS`` are exactly the parameters it reads
(``p["name"]``), the model's ``MODEL_PARAMETERS`` cover what it and the other readers outside the
mechanisms read, every read names a registry parameter, and every registry parameter is declared. A
parameter added to the registry and read nowhere fails here.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from papsim.model import MODEL_PARAMETERS
from papsim.registry import PARAMETERS as REGISTRY

PACKAGE = Path(__file__).resolve().parent.parent / "papsim"
MECHANISMS = sorted(path.stem for path in (PACKAGE / "mechanisms").glob("*.py") if path.stem != "__init__")
READ = re.compile(r"""\b(?:p|params)\[["'](\w+)["']\]""")


def reads(path: Path) -> set[str]:
    """The parameter names a source file reads as ``p["name"]`` or ``params["name"]``."""
    return set(READ.findall(path.read_text()))


def declared(module: str) -> tuple[str, ...]:
    return importlib.import_module(f"papsim.mechanisms.{module}").PARAMETERS


@pytest.mark.parametrize("module", MECHANISMS)
def test_a_mechanism_declares_exactly_what_it_reads(module):
    names = declared(module)
    assert len(set(names)) == len(names), f"{module}: a parameter is declared twice"
    actual = reads(PACKAGE / "mechanisms" / f"{module}.py")
    assert set(names) == actual, (f"{module}.PARAMETERS: declared but not read {sorted(set(names) - actual)}, "
                                  f"read but not declared {sorted(actual - set(names))}")


def test_every_read_names_a_registry_parameter():
    unknown = {f"{path.relative_to(PACKAGE)}: {name}" for path in PACKAGE.rglob("*.py") for name in reads(path)
               if name not in REGISTRY}
    assert not unknown, sorted(unknown)


def test_the_model_declares_what_is_read_outside_the_mechanisms():
    model = PACKAGE / "model.py"
    assert reads(model) <= set(MODEL_PARAMETERS), sorted(reads(model) - set(MODEL_PARAMETERS))
    others = [path for path in PACKAGE.rglob("*.py")
              if path.parent.name != "mechanisms" and path.name not in ("registry.py", "model.py")]
    text = "\n".join(path.read_text() for path in others)
    for name in MODEL_PARAMETERS:  # read by the model, or named by another reader (runner, indicators, ...)
        assert name in reads(model) or f'"{name}"' in text, f"MODEL_PARAMETERS: {name} is read nowhere"


def test_every_registry_parameter_is_declared_and_every_declared_one_exists():
    by_mechanisms = {name for module in MECHANISMS for name in declared(module)}
    everything = by_mechanisms | set(MODEL_PARAMETERS)
    assert not everything - set(REGISTRY), f"declared but not in the registry: {sorted(everything - set(REGISTRY))}"
    assert not set(REGISTRY) - everything, f"in the registry but read nowhere: {sorted(set(REGISTRY) - everything)}"
