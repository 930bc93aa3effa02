"""Train the OCR-B cell classifier shipped as permis_desktop/scan/recognize/ocrb_model.json.

Run from the repository root (needs Debian's fonts-ocr-b):
    .venv/bin/python tests/recognize/train_ocrb.py [--docs 900] [--hard 600] [--epochs 25]

Documents of the three MRZ layouts are rendered at scan and photo quality (kitmrz.py), cut
into cells by the product's own locator and segmenter, labelled with the ground truth, and a
two-layer perceptron is trained on them with plain numpy (Adam, cross-entropy). A held-out
set gives the cell accuracy printed at the end. Seeds are fixed: the run is reproducible.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from permis_desktop.scan.recognize import mrz_read  # noqa: E402
from permis_desktop.scan.recognize.ocrb import ALPHABET, CELL_H, CELL_W, OcrbClassifier  # noqa: E402
from permis_desktop.scan.recognize.pages import load_image  # noqa: E402
from recognize.kitmrz import make_sample  # noqa: E402

FORMATS = ("TD1", "TD3", "FR_ID_1988")


def cells_of(data: bytes, lines: list[str]) -> np.ndarray | None:
    gray = mrz_read._level(load_image(data))  # as the reader does
    for zone, scale in mrz_read._locate(gray)[:3]:
        if len(zone.rows) != len(lines):
            continue
        cut = mrz_read.segment(mrz_read._rectify(gray, zone, scale), len(lines))
        if cut is None or any(len(c) != len(t) for c, t in zip(cut, lines, strict=True)):
            continue
        return np.concatenate(cut)
    return None


def samples(
    n_docs: int, seed: int, qualities: tuple[str, ...] = ("scan", "photo")
) -> list[tuple[bytes, list[str]]]:
    """Rendered documents, cached in $OCRB_CACHE (a folder) to re-train quickly."""
    cache_dir = os.environ.get("OCRB_CACHE")
    name = f"docs-{n_docs}-{seed}" + (
        "" if qualities == ("scan", "photo") else "-" + "-".join(qualities)
    )
    cache = Path(cache_dir) / f"{name}.pickle" if cache_dir else None
    if cache is not None and cache.exists():
        return pickle.loads(cache.read_bytes())  # type: ignore[no-any-return]
    rng = random.Random(seed)
    out = []
    for i in range(n_docs):
        data, truth = make_sample(FORMATS[i % 3], qualities[i % len(qualities)], rng, turns=False)
        out.append((data, truth.lines))
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(pickle.dumps(out))
    return out


def dataset(
    n_docs: int, seed: int, qualities: tuple[str, ...] = ("scan", "photo")
) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    missed = 0
    for data, lines in samples(n_docs, seed, qualities):
        cells = cells_of(data, lines)
        if cells is None:
            missed += 1
            continue
        xs.append(cells)
        ys.extend(ALPHABET.index(c) for c in "".join(lines))
    print(
        f"{n_docs} documents, {missed} not segmented, {sum(len(x) for x in xs)} cells", flush=True
    )
    return np.concatenate(xs), np.array(ys)


def _shifted(cells: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Move each cell by up to one pixel (segmentation is never exact)."""
    n = len(cells)
    padded = np.pad(cells, ((0, 0), (1, 1), (1, 1)), mode="edge")
    rows = rng.integers(0, 3, n)[:, None] + np.arange(CELL_H)
    cols = rng.integers(0, 3, n)[:, None] + np.arange(CELL_W)
    return padded[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]


def train(
    x: np.ndarray, y: np.ndarray, epochs: int, hidden: int = 128, seed: int = 0
) -> OcrbClassifier:
    rng = np.random.default_rng(seed)
    n, d = len(x), CELL_H * CELL_W
    k = len(ALPHABET)
    flat = x.reshape(n, d)
    mean = flat.mean(axis=0).astype(np.float32)
    flat = flat - mean
    params = {
        "w1": rng.normal(0, np.sqrt(2 / d), (d, hidden)).astype(np.float32),
        "b1": np.zeros(hidden, np.float32),
        "w2": rng.normal(0, np.sqrt(2 / hidden), (hidden, k)).astype(np.float32),
        "b2": np.zeros(k, np.float32),
    }
    m = {key: np.zeros_like(v) for key, v in params.items()}
    v = {key: np.zeros_like(p) for key, p in params.items()}
    lr, beta1, beta2, step = 2e-3, 0.9, 0.999, 0
    onehot = np.eye(k, dtype=np.float32)[y]
    for epoch in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, 256):
            batch = order[start : start + 256]
            xb = _shifted(x[batch], rng).reshape(len(batch), d) - mean
            xb += rng.normal(0, 0.05, (len(batch), d)).astype(np.float32)
            h_pre = xb @ params["w1"] + params["b1"]
            h = np.maximum(h_pre, 0)
            logits = h @ params["w2"] + params["b2"]
            logits -= logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            g_logits = (p - onehot[batch]) / len(batch)
            grads = {"w2": h.T @ g_logits + 1e-4 * params["w2"], "b2": g_logits.sum(0)}
            g_h = g_logits @ params["w2"].T * (h_pre > 0)
            grads["w1"] = xb.T @ g_h + 1e-4 * params["w1"]
            grads["b1"] = g_h.sum(0)
            step += 1
            for key in params:
                m[key] = beta1 * m[key] + (1 - beta1) * grads[key]
                v[key] = beta2 * v[key] + (1 - beta2) * grads[key] ** 2
                mh = m[key] / (1 - beta1**step)
                vh = v[key] / (1 - beta2**step)
                params[key] -= lr * mh / (np.sqrt(vh) + 1e-8)
        if epoch == int(epochs * 0.7):
            lr /= 5
        sub = order[:5000]
        h = np.maximum(flat[sub] @ params["w1"] + params["b1"], 0)
        acc = np.mean((h @ params["w2"] + params["b2"]).argmax(1) == y[sub])
        print(f"epoch {epoch + 1}: training accuracy {acc:.4f}", flush=True)
    return OcrbClassifier(params["w1"], params["b1"], params["w2"], params["b2"], mean)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=900)
    parser.add_argument("--epochs", type=int, default=25)
    parser.add_argument("--hard", type=int, default=600, help="extra far/tilted/glare photos")
    args = parser.parse_args()
    x, y = dataset(args.docs, seed=7)
    if args.hard:
        xh, yh = dataset(args.hard, seed=8, qualities=("hard", "photo"))
        x, y = np.concatenate([x, xh]), np.concatenate([y, yh])
    xt, yt = dataset(max(60, args.docs // 6), seed=99)
    model = train(x, y, args.epochs)
    pred = model.predict(xt).argmax(axis=1)
    print(f"held-out cell accuracy: {np.mean(pred == yt):.4%} on {len(yt)} cells", flush=True)
    out = Path(__file__).resolve().parents[2] / "permis_desktop/scan/recognize/ocrb_model.json"
    out.write_text(json.dumps(model.to_json()), encoding="utf-8")
    print(f"wrote {out} ({out.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
