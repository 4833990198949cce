"""Build of the compiled twins of the mechanisms (``papsim/kernels/<module>.pyx``); everything else is in
pyproject.toml.

Each twin is its own optional extension: where one cannot be built (no C compiler), the package installs
without it and that module runs its NumPy functions, which give the same numbers (``papsim/kernels/__init__.py``).
The twins link NumPy's random-number library (``npyrandom``) so that draws made in compiled code are NumPy's own
algorithms on the model's generator: the same numbers and the same stream as ``Generator.poisson`` and the others.
"""

import hashlib
from pathlib import Path

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup

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
setup(ext_modules=cythonize(twins, compiler_directives={"language_level": "3"}, quiet=True))
