"""Analytic test functions with known sensitivity indices, run through the sweep machinery.

The Ishigami function (Ishigami & Homma 1990) with a = 7, b = 0.1 on [-pi, pi]^3 has
first-order Sobol indices 0.3139, 0.4424, 0 and total-order indices 0.5576, 0.4424,
0.2437 (Saltelli et al. 2008).
"""

from __future__ import annotations

import numpy as np

__all__ = ["ISHIGAMI_FIRST_ORDER", "ISHIGAMI_TOTAL_ORDER", "ishigami"]

ISHIGAMI_FIRST_ORDER = np.array([0.3139, 0.4424, 0.0])
ISHIGAMI_TOTAL_ORDER = np.array([0.5576, 0.4424, 0.2437])


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """f(x) = sin x1 + a sin^2 x2 + b x3^4 sin x1, for rows of x."""
    x = np.atleast_2d(x)
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])
