"""The `permis` command: exit codes, JSON output, French errors on stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from permis_desktop.cli import main

FACTS = {
    "procedure": "exam_registration_first",
    "categories": ["B"],
    "applicant": {"birth_name": "Martin", "given_names": ["Léa"], "birth_date": "2007-05-14"},
}


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_db_upgrade_creates_the_database(capsys, tmp_path: Path) -> None:
    code, out, _ = run(capsys, "--data-dir", str(tmp_path), "db", "upgrade")
    assert code == 0 and "à jour" in out
    assert (tmp_path / "permis.sqlite3").exists()


def test_new_then_list_json(capsys, tmp_path: Path) -> None:
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(FACTS), encoding="utf-8")
    code, out, _ = run(capsys, "--data-dir", str(tmp_path), "dossier", "new", str(facts))
    assert code == 0
    dossier_id = out.strip()
    assert len(dossier_id) == 36 and "\n" not in dossier_id
    code, out, _ = run(capsys, "--data-dir", str(tmp_path), "dossier", "list", "--json")
    rows = json.loads(out)
    assert code == 0 and [r["id"] for r in rows] == [dossier_id]
    assert rows[0]["applicant"] == "MARTIN Léa" and rows[0]["status"] == "draft"
    code, out, _ = run(capsys, "--data-dir", str(tmp_path), "dossier", "show", dossier_id, "--json")
    shown = json.loads(out)
    assert shown["id"] == dossier_id and shown["status"] == "draft"
    assert shown["applicant"]["given_names"] == ["Léa"] and shown["history"][0]["to"] == "draft"


def test_bad_json_is_exit_2_with_french_message(capsys, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{oops", encoding="utf-8")
    code, out, err = run(capsys, "--data-dir", str(tmp_path), "dossier", "new", str(bad))
    assert code == 2 and out == ""
    assert "n'est pas un JSON valide" in err


def test_missing_file_and_unknown_dossier_are_exit_2(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "--data-dir", str(tmp_path), "dossier", "new", str(tmp_path / "no"))
    assert code == 2 and "introuvable" in err
    code, _, err = run(capsys, "--data-dir", str(tmp_path), "dossier", "show", "inconnu")
    assert code == 2 and "Aucun dossier" in err


def test_config_set_get_and_errors(capsys, tmp_path: Path) -> None:
    d = ["--data-dir", str(tmp_path)]
    assert run(capsys, *d, "config", "set", "sync.server_url", "https://agence.example")[0] == 0
    code, out, _ = run(capsys, *d, "config", "get", "sync.server_url")
    assert code == 0 and out.strip() == "https://agence.example"
    code, _, err = run(capsys, *d, "config", "get", "sync.nope")
    assert code == 2 and "Réglage inconnu" in err
    code, _, err = run(capsys, *d, "config", "set", "sync.poll_seconds", "souvent")
    assert code == 2 and "nombre entier" in err


def test_damaged_database_is_exit_1_and_untouched(capsys, tmp_path: Path) -> None:
    (tmp_path / "permis.sqlite3").write_bytes(b"garbage" * 10)
    code, _, err = run(capsys, "--data-dir", str(tmp_path), "dossier", "list")
    assert code == 1 and "endommagée" in err
    assert (tmp_path / "permis.sqlite3").read_bytes() == b"garbage" * 10


def test_usage_error_is_exit_2_in_a_real_process(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "permis_desktop.cli",
            "--data-dir",
            str(tmp_path),
            "dossier",
            "frobnicate",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("utilisation : permis dossier")
    assert "choix invalide : 'frobnicate'" in done.stderr
    assert "choose from" not in done.stderr and "usage" not in done.stderr


@pytest.mark.parametrize("env_var", [True, False])
def test_data_dir_from_env_or_flag(capsys, tmp_path: Path, monkeypatch, env_var: bool) -> None:
    target = tmp_path / "desk"
    if env_var:
        monkeypatch.setenv("PERMIS_DATA_DIR", str(target))
        args = ["db", "upgrade"]
    else:
        monkeypatch.delenv("PERMIS_DATA_DIR", raising=False)
        args = ["--data-dir", str(target), "db", "upgrade"]
    assert run(capsys, *args)[0] == 0
    assert (target / "permis.sqlite3").exists()
