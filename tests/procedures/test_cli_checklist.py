"""`permis checklist` and the facts check of `permis dossier new`: JSON on stdout, French
errors on stderr with exit status 2."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from permis_desktop.cli import main

from .factsbuilder import facts


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, doc: Any, name: str = "facts.json") -> str:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return str(path)


def test_good_file_prints_the_checklist(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    doc = facts("licence_after_exam_first", ["B"], birth="2009-11-28", postal="97400", mandate=True)
    code, out, err = run(capsys, "--data-dir", str(tmp_path), "checklist", write(tmp_path, doc))
    assert code == 0 and err == ""
    result = json.loads(out)
    assert result["procedure"] == "licence_after_exam_first"
    assert result["reference_date"] == "2026-11-27" and result["age"] == 16
    assert result["eligible"] is False
    assert sorted(p["code"] for p in result["problems"]) == ["mandate_not_allowed", "too_young"]
    too_young = next(p for p in result["problems"] if p["code"] == "too_young")
    assert too_young["field"] == "applicant.birth_date" and "17 ans" in too_young["message"]
    kinds = {p["kind"]: p for p in result["pieces"]}
    assert kinds["regional_tax_receipt"]["required"] is True
    assert kinds["road_safety_certificate"]["reason"] == (
        "Obligatoire : moins de 21 ans et premier permis (ASSR 2 ou ASR)."
    )
    for piece in result["pieces"]:
        assert set(piece) >= {"kind", "required", "status", "reason", "source"}


@pytest.mark.parametrize(
    "procedure",
    [
        "exam_registration_first",
        "exam_registration_extension",
        "licence_after_exam_first",
        "licence_after_exam_extension",
        "licence_after_exam_return",
        "licence_after_training_am",
        "licence_after_training_a",
        "licence_after_training_b96",
        "licence_after_training_78",
    ],
)
def test_every_procedure_answers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, procedure: str
) -> None:
    doc = facts(
        procedure,
        ["BE"],
        held=[
            {"category": "B", "obtained": "2015-01-01", "restrictions": ["78"]},
            {"category": "A2", "obtained": "2020-01-01"},
        ],
    )
    code, out, _ = run(capsys, "--data-dir", str(tmp_path), "checklist", write(tmp_path, doc))
    assert code == 0
    result = json.loads(out)
    assert result["procedure"] == procedure
    assert {"identity", "proof_of_address", "photo_signature"} <= {
        p["kind"] for p in result["pieces"] if p["required"]
    }


def test_stdin(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(facts("licence_after_training_am"))))
    code, out, _ = run(capsys, "--data-dir", str(tmp_path), "checklist", "-")
    assert code == 0 and json.loads(out)["eligible"] is True


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{oops", "n'est pas un JSON valide"),
        (
            json.dumps(facts("exam_registration_first", ["B"], colour="bleu")),
            "Champ inconnu : colour",
        ),
        (
            json.dumps(facts("exam_registration_first", ["B"], applicant={"adress": {}})),
            "Champ inconnu : applicant.adress",
        ),
        (json.dumps(facts("permis_bateau", ["B"])), "Démarche inconnue « permis_bateau »"),
        (
            json.dumps(facts("exam_registration_first", ["B"], ref="2026-13-01")),
            "Date invalide pour reference_date",
        ),
        ("[1, 2]", "objet JSON"),
    ],
)
def test_bad_input_is_exit_2_in_french(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, words: str
) -> None:
    code, out, err = run(capsys, "--data-dir", str(tmp_path), "checklist", write(tmp_path, content))
    assert code == 2 and out == ""
    assert err.startswith("permis : ") and words in err
    assert "Traceback" not in err


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "--data-dir", str(tmp_path), "checklist", str(tmp_path / "x.json"))
    assert code == 2 and "introuvable" in err


def test_photo_code_length_comes_from_the_settings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    doc = facts(
        "licence_after_exam_first",
        ["B"],
        photo={"code": "AB12CD34EF56GH78IJ90K", "taken": "2026-11-01"},
    )  # 21 chars
    path = write(tmp_path, doc)
    code, out, _ = run(capsys, "--data-dir", str(tmp_path), "checklist", path)
    assert "photo_code_length" in [w["code"] for w in json.loads(out)["warnings"]]
    assert (
        run(capsys, "--data-dir", str(tmp_path), "config", "set", "rules.photo_code_length", "21")[
            0
        ]
        == 0
    )
    code, out, _ = run(capsys, "--data-dir", str(tmp_path), "checklist", path)
    assert code == 0
    assert "photo_code_length" not in [w["code"] for w in json.loads(out)["warnings"]]


def test_dossier_new_refuses_unknown_fields(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    doc = facts("exam_registration_first", ["B"], applicant={"shoe_size": 42})
    code, out, err = run(capsys, "--data-dir", str(data), "dossier", "new", write(tmp_path, doc))
    assert code == 2 and out == ""
    assert "applicant.shoe_size" in err
    assert not (data / "permis.sqlite3").exists()  # refused before the store was opened
    code, out, _ = run(
        capsys,
        "--data-dir",
        str(data),
        "dossier",
        "new",
        write(tmp_path, facts("exam_registration_first", ["B"]), "ok.json"),
    )
    assert code == 0 and len(out.strip()) == 36


def test_dossier_show_output_feeds_checklist(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = str(tmp_path / "data")
    doc = facts(
        "licence_after_exam_first",
        ["B"],
        pieces=[{"kind": "proof_of_address", "document_type": "bill", "issued": "2026-01-02"}],
    )
    code, out, _ = run(capsys, "--data-dir", data, "dossier", "new", write(tmp_path, doc))
    assert code == 0
    code, shown, _ = run(capsys, "--data-dir", data, "dossier", "show", out.strip(), "--json")
    assert code == 0
    shown_doc = json.loads(shown)
    shown_doc["reference_date"] = "2026-11-27"
    code, out, err = run(
        capsys, "--data-dir", data, "checklist", write(tmp_path, shown_doc, "s.json")
    )
    assert code == 0, err
    lines = {p["kind"]: p for p in json.loads(out)["pieces"]}
    assert lines["proof_of_address"]["status"] == "too_old"
    assert lines["identity"]["status"] == "missing"


def test_subprocess_round_trip(tmp_path: Path) -> None:
    doc = facts(
        "licence_after_training_78",
        held=[{"category": "B", "obtained": "2024-01-15", "restrictions": ["78"]}],
        ref="2024-02-29",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "permis_desktop.cli", "--data-dir", str(tmp_path), "checklist", "-"],
        input=json.dumps(doc),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert [p["code"] for p in result["problems"]] == ["prerequisite_too_recent"]
    bad = subprocess.run(
        [sys.executable, "-m", "permis_desktop.cli", "--data-dir", str(tmp_path), "checklist", "-"],
        input='{"procedure": "licence_after_training_78", "oops": 1}',
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2 and "Champ inconnu : oops" in bad.stderr and bad.stdout == ""
