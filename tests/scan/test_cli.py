"""`permis process` and `permis dossier attach`: the report contract and French errors."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import cv2
import numpy as np
from conftest import text_pdf

from permis_desktop.cli import main

FIXTURES = Path(__file__).resolve().parent.parent / "data" / "fixtures"
TRUTH = json.loads((FIXTURES / "truth.json").read_text(encoding="utf-8"))
PAGE_KEYS = {"source", "page", "corners", "size", "dpi", "verdict", "reasons", "bytes"}


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_process_writes_a_pdf_and_the_report(tmp_path, data_dir, capsys):
    from pypdf import PdfReader

    card = FIXTURES / "card-photo.jpg"
    out = tmp_path / "identite.pdf"
    code, stdout, _ = _run(capsys, "process", str(card), "--piece", "identity", "-o", str(out))
    assert code == 0
    report = json.loads(stdout)
    assert report["piece"] == "identity" and report["output"] == str(out)
    assert report["total_bytes"] == out.stat().st_size
    assert len(PdfReader(io.BytesIO(out.read_bytes())).pages) == 1
    (page,) = report["pages"]
    assert set(page) >= PAGE_KEYS
    assert page["source"] == str(card) and page["page"] == 1
    assert page["size"] == [1011, 638] and page["verdict"] == "ok"
    truth = np.array(TRUTH["card-photo.jpg"]["corners"])
    found = np.array(page["corners"])
    assert found.shape == (4, 2)
    assert np.abs(found - truth).max() < 0.015 * np.linalg.norm(truth[2] - truth[0])
    assert abs(page["dpi"] - TRUTH["card-photo.jpg"]["dpi"]) < 10


def test_process_jpeg_outputs_one_file_per_page(tmp_path, data_dir, capsys):
    bill = FIXTURES / "bill-scan.jpg"
    ebill = tmp_path / "ebill.pdf"
    ebill.write_bytes(text_pdf(["Facture"]))
    out = tmp_path / "justificatif.jpg"
    code, stdout, _ = _run(
        capsys,
        "process",
        str(bill),
        str(ebill),
        "--piece",
        "proof_of_address",
        "-o",
        str(out),
        "--filter",
        "bw",
    )
    assert code == 0
    report = json.loads(stdout)
    assert report["outputs"] == [
        str(tmp_path / "justificatif-1.jpg"),
        str(tmp_path / "justificatif-2.jpg"),
    ]
    first = cv2.imread(report["outputs"][0], cv2.IMREAD_UNCHANGED)
    assert first.ndim == 2  # black and white page
    assert report["pages"][0]["verdict"] == "too_small"
    assert report["pages"][1]["verdict"] == "ok"
    assert report["total_bytes"] == sum(Path(p).stat().st_size for p in report["outputs"])


def test_process_refusals_are_french_with_exit_status_2(tmp_path, data_dir, capsys):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.add_page(PdfReader(io.BytesIO(text_pdf(["x"]))).pages[0])
    writer.encrypt(user_password="pw")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as handle:
        writer.write(handle)
    code, stdout, err = _run(
        capsys, "process", str(locked), "--piece", "proof_of_address", "-o", str(tmp_path / "o.pdf")
    )
    assert code == 2 and stdout == "" and "mot de passe" in err and "Traceback" not in err
    code, _, err = _run(
        capsys,
        "process",
        str(FIXTURES / "card-photo.jpg"),
        "--piece",
        "passport_photo",
        "-o",
        str(tmp_path / "o.pdf"),
    )
    assert code == 2 and "Nature de pièce inconnue" in err
    code, _, err = _run(
        capsys,
        "process",
        str(FIXTURES / "card-photo.jpg"),
        "--piece",
        "identity",
        "-o",
        str(tmp_path / "o.png"),
    )
    assert code == 2 and ".pdf" in err


def test_dossier_attach_prints_a_summary_and_show_has_the_verdicts(tmp_path, data_dir, capsys):
    facts = tmp_path / "facts.json"
    facts.write_text(
        json.dumps(
            {
                "procedure": "exam_registration_first",
                "categories": ["B"],
                "applicant": {
                    "birth_name": "MARTIN",
                    "given_names": ["Camille"],
                    "birth_date": "2007-05-01",
                },
            }
        ),
        encoding="utf-8",
    )
    code, stdout, err = _run(capsys, "dossier", "new", str(facts))
    assert code == 0, err
    dossier_id = stdout.strip()
    card = tmp_path / "recto.jpg"
    shutil.copy(FIXTURES / "card-photo.jpg", card)
    code, stdout, err = _run(
        capsys, "dossier", "attach", dossier_id, "--piece", "identity", str(card)
    )
    assert code == 0, err
    summary = json.loads(stdout)
    assert summary["piece"] == "identity" and summary["status"] == "provided"
    assert [p["verdict"] for p in summary["pages"]] == ["ok"]
    code, stdout, _ = _run(capsys, "dossier", "show", dossier_id, "--json")
    shown = json.loads(stdout)
    piece = next(p for p in shown["pieces"] if p["kind"] == "identity")
    assert piece["pages"][0]["verdict"] == "ok"
    code, _, err = _run(
        capsys, "dossier", "attach", "00000000-nope", "--piece", "identity", str(card)
    )
    assert code == 2 and "Aucun dossier" in err
