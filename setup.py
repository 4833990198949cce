"""Build of the compiled kernels (``papsim/kernels/_kernels.pyx``); everything else is in pyproject.toml.

The extension is optional: where it cannot be built (no C compiler), the package installs without it and
the model runs the NumPy kernels, which give the same numbers (``papsim/kernels/__init__.py``). It links NumPy's
random-number library (``npyrandom``) so that draws made in compiled code are NumPy's own algorithms on the
model's generator: the same numbers and the same stream as ``Generator.poisson`` and the others.
"""

import hashlib
from pathlib import Path

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup

SOURCE = "papsim/kernels/_kernels.pyx"
# the source's hash goes into the module (SOURCE_SHA256), so that papsim.kernels can tell a stale build
SOURCE_SHA256 = hashlib.sha256(Path(SOURCE).read_bytes()).hexdigest()

kernels = Extension(
    "papsim.kernels._kernels",
    [SOURCE],
    include_dirs=[np.get_include()],
    library_dirs=[str(Path(np.__file__).parent / "random" / "lib")],
    libraries=["npyrandom"],
    define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION"), ("KERNELS_SOURCE_SHA256", f'"{SOURCE_SHA256}"')],
    # every sum and product evaluated as written (no fused multiply-add, no reassociation): NumPy's bits
    extra_compile_args=["-O2", "-ffp-contract=off", "-fno-fast-math"],
    optional=True,
)

setup(ext_modules=cythonize([kernels], compiler_directives={"language_level": "3"}, quiet=True))
