"""What every compiled pass shares: rows as unsigned indices."""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["row"]


@njit(cache=True, inline="always")
def row(rows, i):
    """The ``i``-th listed row, as an unsigned index.

    An index the compiler knows is not negative needs no wrap-around code, and the
    loops index a dozen arrays by it: about a fifth of a pass's time.
    """
    return np.uint64(rows[i])
