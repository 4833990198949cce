"""What the twin tests share: equality to the last bit, and the built twin of a module or a skip."""

import numpy as np
import pytest

from papsim import kernels


def same(a, b) -> bool:
    """Equal to the last bit: values (nan equal to nan), signs of zero, shapes and dtypes; generators by state;
    recursively through dicts, tuples and lists."""
    if isinstance(a, np.random.Generator):
        return isinstance(b, np.random.Generator) and same(a.bit_generator.state, b.bit_generator.state)
    if isinstance(a, dict):
        return type(b) is dict and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    if isinstance(a, (int, float, np.number)) and not isinstance(a, bool):
        return np.float64(a).tobytes() == np.float64(b).tobytes()
    return a == b


def built_twin(module: str):
    """The built compiled twin of ``module``, or skip the test saying why it is not usable."""
    state = kernels.twin(module)
    if not state.usable:
        pytest.skip(f"{module} twin: {state.reason}")
    return state.built
