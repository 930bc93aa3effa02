from __future__ import annotations

import json
from pathlib import Path

import pytest

from permis_desktop.paths import resolve_paths
from permis_desktop.settings import Settings, SettingsError


def test_data_dir_puts_everything_under_one_folder(tmp_path: Path) -> None:
    p = resolve_paths(tmp_path / "portable")
    for folder in (p.data, p.config, p.cache, p.log):
        assert folder.is_relative_to(tmp_path / "portable")


def test_env_variable_is_used_when_no_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERMIS_DATA_DIR", str(tmp_path / "env"))
    assert resolve_paths().data == (tmp_path / "env").resolve()
    assert resolve_paths(tmp_path / "flag").data == (tmp_path / "flag").resolve()


def test_settings_typed_roundtrip(tmp_path: Path) -> None:
    s = Settings(tmp_path / "settings.json")
    assert s.get("sync.verify_tls") is True
    s.set("sync.verify_tls", "non")
    s.set("sync.poll_seconds", "30")
    again = Settings(tmp_path / "settings.json")
    assert again.get("sync.verify_tls") is False
    assert again.get("sync.poll_seconds") == 30
    assert json.loads((tmp_path / "settings.json").read_text())["_version"] == 1


def test_settings_reject_unknown_key_and_bad_value(tmp_path: Path) -> None:
    s = Settings(tmp_path / "settings.json")
    with pytest.raises(SettingsError, match="inconnu"):
        s.get("nope.key")
    with pytest.raises(SettingsError, match="nombre entier"):
        s.set("sync.poll_seconds", "souvent")


def test_damaged_settings_file_falls_back_to_defaults_and_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{not json")
    s = Settings(path)
    assert s.get("sync.server_url") == ""
    assert (tmp_path / "settings.json.damaged").read_text() == "{not json"
