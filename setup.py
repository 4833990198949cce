"""What the package holds: its modules, the library it ships, their data files, and the compiled twins of the
mechanisms (``papsim/kernels/<module>.pyx``); the project's metadata is in pyproject.toml.

The library stays where it is in the repository (``scenarios/``, with the city map in ``scenarios/map/``,
and ``experiments/``) and is installed as the packages ``papsim.library.scenarios`` and
``papsim.library.experiments``; papsim reads it through importlib.resources, so an editable install reads
the repository's folders and a wheel its own copy (``papsim/library/__init__.py``).

Each twin is its own optional extension: where one cannot be built (no C compiler), the package installs
without it and that module runs its NumPy functions, which give the same numbers (``papsim/kernels/__init__.py``).
The twins link NumPy's random-number library (``npyrandom``) so that draws made in compiled code are NumPy's own
algorithms on the model's generator: the same numbers and the same stream as ``Generator.poisson`` and the others.
"""

import hashlib
import os
from pathlib import Path

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, find_packages, setup

LIBRARY = {"papsim.library.scenarios": "scenarios", "papsim.library.experiments": "experiments"}
PACKAGE_DATA = {
    "papsim.present.report": ["templates/*.html.j2"],
    "papsim.library.scenarios": ["*.toml", "map/**/*"],  # every file of the map, whatever its type
    "papsim.library.experiments": ["*.toml"],
}
KERNELS = Path("papsim/kernels")
COMMON = (KERNELS / "_common.pxd").read_bytes()  # included in every twin


def twin(pyx: Path) -> Extension:
    """The extension of one twin; the hash of its sources goes into it (``BUILT_FROM``), so that
    papsim.kernels can tell a build older than its source."""
    built_from = hashlib.sha256(pyx.read_bytes() + COMMON).hexdigest()
    return Extension(
        f"papsim.kernels.{pyx.stem}",
        [str(pyx)],
        include_dirs=[np.get_include()],
        library_dirs=[str(Path(np.__file__).parent / "random" / "lib")],
        libraries=["npyrandom"],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION"), ("KERNELS_SOURCE_SHA256", f'"{built_from}"')],
        # every sum and product evaluated as written (no fused multiply-add, no reassociation): NumPy's bits
        extra_compile_args=["-O2", "-ffp-contract=off", "-fno-fast-math"],
        optional=True,
    )


twins = [twin(pyx) for pyx in sorted(KERNELS.glob("*.pyx"))]
setup(
    packages=[*find_packages(include=["papsim", "papsim.*"]), *LIBRARY],
    package_dir=LIBRARY,
    package_data=PACKAGE_DATA,
    exclude_package_data={"": ["**/__pycache__/*"]},
    ext_modules=cythonize(twins, compiler_directives={"language_level": "3"}, quiet=True, nthreads=os.cpu_count() or 1),
    options={"build_ext": {"parallel": True}},  # the twins are independent extensions: one compiler per core
)
