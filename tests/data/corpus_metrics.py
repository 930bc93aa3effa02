"""Ground-truth measures for the generated corpus: corner error and SSIM legibility.

Used by tests/scan and bench/capture.py beside make_corpus.py (import as `corpus_metrics`
with tests/data on sys.path, like `make_corpus`).
"""

from __future__ import annotations

import cv2
import numpy as np


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Mean structural similarity (Wang et al. 2004; Gaussian window sigma 1.5, K1 0.01,
    K2 0.03) of two grey images of the same size."""
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2

    def blur(x: np.ndarray) -> np.ndarray:
        return cv2.GaussianBlur(x, (11, 11), 1.5)

    mu_a, mu_b = blur(a), blur(b)
    var_a = blur(a * a) - mu_a**2
    var_b = blur(b * b) - mu_b**2
    cov = blur(a * b) - mu_a * mu_b
    num = (2 * mu_a * mu_b + c1) * (2 * cov + c2)
    den = (mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2)
    return float((num / den).mean())


def corner_error(found: np.ndarray, truth: np.ndarray, ordered: bool = False) -> float:
    """Largest corner distance as a share of the document's diagonal; unless `ordered`, the
    best cyclic numbering of `found` is used (detection alone, orientation aside)."""
    truth = np.asarray(truth, np.float64)
    found = np.asarray(found, np.float64)
    diag = float(np.linalg.norm(truth[2] - truth[0]))
    shifts = [0] if ordered else range(4)
    return (
        min(float(np.linalg.norm(np.roll(found, k, axis=0) - truth, axis=1).max()) for k in shifts)
        / diag
    )
