#!/usr/bin/env python3
"""Speed of the rules engine: the wizard recomputes the checklist on every edit, so one
evaluation must take at most 1 ms (median). Measured on realistic dossiers of the nine
procedures: typed facts (what the wizard holds), raw JSON documents (parse + evaluate, what
`permis checklist` does) and the JSON output on top.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from permis_desktop.procedures.checklist import evaluate  # noqa: E402
from permis_desktop.procedures.facts import parse_facts  # noqa: E402

TARGET_MS = 1.0


def dossier(procedure: str, categories: list[str], **applicant: Any) -> dict[str, Any]:
    a: dict[str, Any] = {
        "sex": "F",
        "birth_name": "Martin",
        "given_names": ["Léa", "Marie"],
        "birth_date": "2008-03-14",
        "birth_place": {"commune": "Ajaccio", "insee": "2A004", "country": "FRA"},
        "nationality": "FRA",
        "address": {
            "line1": "3 cours Napoléon",
            "line2": "Bât. B",
            "postal_code": "20000",
            "city": "Ajaccio",
        },
        "email": "lea.martin@example.fr",
        "mobile": "06 12 34 56 78",
        "neph": "121201200001",
        "licence": {
            "number": "12AB34567",
            "categories": [
                {"category": "B", "obtained": "2024-05-02", "restrictions": ["78"]},
                {"category": "A2", "obtained": "2022-01-10"},
            ],
        },
    }
    a.update(applicant)
    return {
        "procedure": procedure,
        "categories": categories,
        "training_mode": "traditional",
        "mandate": True,
        "reference_date": "2026-11-27",
        "applicant": a,
        "legal_representative": {
            "quality": "mère",
            "birth_name": "Martin",
            "given_names": ["Anne"],
            "email": "anne@example.fr",
            "mobile": "+33 7 31 23 45 67",
        },
        "photo_signature": {"code": "AB12-CD34-EF56-GH78-IJ90-KL", "taken": "2026-11-20"},
        "training": {},
        "pieces": [
            {"kind": "identity", "document_type": "cni", "expires": "2022-01-01"},
            {"kind": "proof_of_address", "document_type": "bill", "issued": "2026-04-01"},
            {"kind": "road_safety_certificate", "document_type": "assr2"},
            {"kind": "medical_opinion", "issued": "2025-06-01"},
        ],
    }


DOSSIERS = [
    dossier("exam_registration_first", ["B"], licence={}),
    dossier("exam_registration_extension", ["C", "CE"]),
    dossier("licence_after_exam_first", ["B"], licence={}),
    dossier("licence_after_exam_extension", ["BE"]),
    dossier("licence_after_exam_return", ["B"], medical={"condition": True}),
    dossier("licence_after_training_am", [], licence={}, birth_date="2012-00-00"),
    dossier("licence_after_training_a", ["A"]),
    dossier("licence_after_training_b96", [], hosted=True),
    dossier("licence_after_training_78", [], nationality="MAR"),
]


def per_call_ms(fn: Callable[[], object], rounds: int = 15, batch: int = 200) -> list[float]:
    fn()  # warm up (lazy imports)
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(batch):
            fn()
        samples.append((time.perf_counter() - start) * 1000 / batch)
    return samples


def main() -> int:
    typed = [parse_facts(d) for d in DOSSIERS]
    measures: list[tuple[str, list[float]]] = []
    all_typed: list[float] = []
    for facts in typed:
        all_typed += per_call_ms(lambda f=facts: evaluate(f), rounds=5)
    measures.append(("evaluate, typed facts (9 procedures)", all_typed))
    raw: list[float] = []
    for doc in DOSSIERS:
        raw += per_call_ms(lambda d=doc: evaluate(d), rounds=5)
    measures.append(("parse + evaluate, raw document", raw))
    full: list[float] = []
    for doc in DOSSIERS:
        full += per_call_ms(lambda d=doc: json.dumps(evaluate(d).to_json()), rounds=5)
    measures.append(("parse + evaluate + JSON output", full))

    print(f"{'measure':<42} | {'target':>9} | {'median':>9} | {'p95':>9} | ok?")
    print("-" * 84)
    status = 0
    for name, samples in measures:
        median = statistics.median(samples)
        p95 = sorted(samples)[int(0.95 * (len(samples) - 1))]
        ok = median <= TARGET_MS
        status |= 0 if ok else 1
        print(
            f"{name:<42} | {'<= 1 ms':>9} | {median:>6.3f} ms | {p95:>6.3f} ms | "
            f"{'yes' if ok else 'NO'}"
        )
    return status


if __name__ == "__main__":
    sys.exit(main())
