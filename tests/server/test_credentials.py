"""The desk's token: in the OS keyring when one exists, else in the settings file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import keyring
import pytest
from keyring.backends import fail

from permis_desktop.settings import Settings
from permis_desktop.sync.credentials import load_token, store_token
from tests.memory_keyring import install_memory_keyring


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
    return install_memory_keyring()


def test_without_a_keyring_the_token_stays_in_the_settings_file(settings, tmp_path):
    assert store_token(settings, "pds_abc") == "settings"
    assert Settings(tmp_path / "settings.json").get("sync.token") == "pds_abc"
    assert load_token(settings) == "pds_abc"


def test_with_a_keyring_the_token_leaves_the_settings_file(settings, ring, tmp_path):
    assert store_token(settings, "pds_secret") == "keyring"
    assert Settings(tmp_path / "settings.json").get("sync.token") == ""
    account = f"sync.token@{tmp_path.resolve()}"
    assert ring.values == {("permis-desktop", account): "pds_secret"}
    assert load_token(settings) == "pds_secret"


def test_a_token_set_headless_is_moved_into_the_keyring(settings, ring, tmp_path):
    store_token(settings, "pds_old")
    settings.set("sync.token", "pds_new")  # permis config set sync.token pds_new
    assert load_token(settings) == "pds_new"
    assert ring.values[("permis-desktop", f"sync.token@{tmp_path.resolve()}")] == "pds_new"
    assert Settings(tmp_path / "settings.json").get("sync.token") == ""


def test_two_desks_of_one_user_keep_their_own_tokens(ring, tmp_path):
    one = Settings(tmp_path / "desk1" / "config" / "settings.json")
    two = Settings(tmp_path / "desk2" / "config" / "settings.json")
    assert store_token(one, "pds_one") == "keyring" and store_token(two, "pds_two") == "keyring"
    assert (load_token(one), load_token(two)) == ("pds_one", "pds_two")


def test_an_unreadable_ca_file_is_reported_when_sync_is_set_up(settings, tmp_path):
    from permis_desktop.errors import BadInput
    from permis_desktop.sync.setup import client_factory

    settings.set("sync.token", "pds_abc")
    settings.set("sync.ca_file", str(tmp_path / "absent.pem"))
    with pytest.raises(BadInput, match="absent.pem.*introuvable ou illisible"):
        client_factory(settings)
    garbled = tmp_path / "garbled.pem"
    garbled.write_text("-----BEGIN CERTIFICATE-----\nxx\n")
    settings.set("sync.ca_file", str(garbled))
    with pytest.raises(BadInput, match="garbled.pem"):
        client_factory(settings)
