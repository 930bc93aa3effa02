"""OCR-B character classifier for MRZ cells: a small neural network run with numpy.

The MRZ alphabet is 37 characters of one standard font (OCR-B, ISO 1073-2), so a classifier
trained on that font beats a general OCR engine here, and needs nothing but numpy: no system
binary (Tesseract) and no ONNX runtime. The weights (`ocrb_model.json`, ~150 KB) were trained
on MRZ cells cut by this package's own segmenter from documents rendered with the OCR-B font
of Debian's `fonts-ocr-b` (public domain / freely redistributable metafont sources), at scan
and photo quality; see tests/recognize/train_ocrb.py. The font itself is not shipped.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"
CELL_W, CELL_H = 16, 24
MODEL_RESOURCE = "ocrb_model.json"
TOP_K = 4

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class OcrbClassifier:
    """Two-layer perceptron: cells (n, CELL_H, CELL_W) in [0, 1] -> probabilities (n, 37)."""

    w1: FloatArray
    b1: FloatArray
    w2: FloatArray
    b2: FloatArray
    mean: FloatArray

    def predict(self, cells: FloatArray) -> FloatArray:
        x = cells.reshape(len(cells), -1).astype(np.float32) - self.mean
        hidden = np.maximum(x @ self.w1 + self.b1, 0.0)
        logits = hidden @ self.w2 + self.b2
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        probs: FloatArray = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
        return probs

    def top_candidates(self, probs: FloatArray, k: int = TOP_K) -> list[list[tuple[str, float]]]:
        order = np.argsort(-probs, axis=1)[:, :k]
        return [[(ALPHABET[j], float(probs[i, j])) for j in row] for i, row in enumerate(order)]

    def to_json(self) -> dict[str, Any]:
        def pack(a: FloatArray) -> dict[str, Any]:
            raw = np.ascontiguousarray(a, dtype=np.float16).tobytes()
            return {"shape": list(a.shape), "f16": base64.b64encode(raw).decode("ascii")}

        return {
            "alphabet": ALPHABET,
            "cell": [CELL_H, CELL_W],
            "w1": pack(self.w1),
            "b1": pack(self.b1),
            "w2": pack(self.w2),
            "b2": pack(self.b2),
            "mean": pack(self.mean),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OcrbClassifier:
        if data.get("alphabet") != ALPHABET or data.get("cell") != [CELL_H, CELL_W]:
            raise ValueError("OCR-B model does not match this reader")

        def unpack(d: dict[str, Any]) -> FloatArray:
            raw = np.frombuffer(base64.b64decode(d["f16"]), dtype=np.float16)
            return raw.astype(np.float32).reshape(d["shape"])

        return cls(
            unpack(data["w1"]),
            unpack(data["b1"]),
            unpack(data["w2"]),
            unpack(data["b2"]),
            unpack(data["mean"]),
        )


@lru_cache(maxsize=1)
def load_classifier() -> OcrbClassifier:
    text = resources.files(__package__).joinpath(MODEL_RESOURCE).read_text(encoding="utf-8")
    return OcrbClassifier.from_json(json.loads(text))
