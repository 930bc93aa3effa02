"""The desk's token: in the OS keyring when one exists, else in the settings file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from permis_desktop.settings import Settings
from permis_desktop.sync.credentials import load_token, store_token


@pytest.fixture
def settings(tmp_path) -> Settings:
    s = Settings(tmp_path / "settings.json")
    s.set("sync.server_url", "https://agence.example")
    return s


@pytest.fixture(autouse=True)
def no_keyring() -> Iterator[None]:
    # Tests start and end with no keyring, whatever this machine has.
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(fail.Keyring())


@pytest.fixture
def ring() -> Any:
    # Defined here, not at import: a KeyringBackend subclass registers itself as a candidate
    # for every later keyring initialisation, in any test module.
    class MemoryKeyring(KeyringBackend):
        """Stands for the OS keychain, which a test machine has not got."""

        priority = 1  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self.values: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.values.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.values[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            self.values.pop((service, username), None)

    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


def test_without_a_keyring_the_token_stays_in_the_settings_file(settings, tmp_path):
    assert store_token(settings, "pds_abc") == "settings"
    assert Settings(tmp_path / "settings.json").get("sync.token") == "pds_abc"
    assert load_token(settings) == "pds_abc"


def test_with_a_keyring_the_token_leaves_the_settings_file(settings, ring, tmp_path):
    assert store_token(settings, "pds_secret") == "keyring"
    assert Settings(tmp_path / "settings.json").get("sync.token") == ""
    assert ring.values == {("permis-desktop", "sync.token"): "pds_secret"}
    assert load_token(settings) == "pds_secret"


def test_a_token_set_headless_is_moved_into_the_keyring(settings, ring, tmp_path):
    store_token(settings, "pds_old")
    settings.set("sync.token", "pds_new")  # permis config set sync.token pds_new
    assert load_token(settings) == "pds_new"
    assert ring.values[("permis-desktop", "sync.token")] == "pds_new"
    assert Settings(tmp_path / "settings.json").get("sync.token") == ""
