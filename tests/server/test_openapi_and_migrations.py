"""The committed OpenAPI document matches the app, and the migrations match the models."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from permis_server.cli import openapi_document
from permis_server.db import (
    current_revision,
    downgrade,
    head_revision,
    make_engine,
    schema_differences,
    upgrade,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_committed_openapi_document_is_the_apps():
    committed = json.loads(DOC.read_text(encoding="utf-8"))
    assert committed == openapi_document(), (
        "docs/openapi.json is out of date: run `permis-server openapi > docs/openapi.json`"
    )


def test_openapi_document_describes_the_sync_endpoints():
    doc = openapi_document()
    paths = doc["paths"]
    assert set(paths["/v1/blobs/{sha256}"]) == {"put", "head"}
    assert set(paths["/v1/dossiers/{dossier_id}"]) == {"put", "get"}
    assert "409" in paths["/v1/dossiers/{dossier_id}"]["put"]["responses"]
    params = {p["name"] for p in paths["/v1/dossiers/{dossier_id}"]["put"]["parameters"]}
    assert "Idempotency-Key" in params
    assert {p["name"] for p in paths["/v1/events"]["get"]["parameters"]} == {"after", "limit"}
    assert "HTTPBearer" in doc["components"]["securitySchemes"]


def test_migrated_schema_equals_the_models(blank_db_url):
    engine = make_engine(blank_db_url)
    try:
        assert upgrade(engine) is True
        assert current_revision(engine) == head_revision()
        assert schema_differences(engine) == []
        assert upgrade(engine) is False
    finally:
        engine.dispose()


def test_downgrade_then_upgrade_again(blank_db_url):
    engine = make_engine(blank_db_url)
    try:
        upgrade(engine)
        downgrade(engine, "base")
        assert current_revision(engine) is None
        upgrade(engine)
        assert schema_differences(engine) == []
    finally:
        engine.dispose()


def test_processes_starting_together_migrate_once(blank_db_url):
    # Four engines stand for four server processes opening a fresh database at once.
    engines = [make_engine(blank_db_url) for _ in range(4)]
    results: list[bool] = []
    errors: list[BaseException] = []

    def start(engine):
        try:
            results.append(upgrade(engine))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    try:
        assert errors == []
        assert sorted(results) == [False, False, False, True]
        assert schema_differences(engines[0]) == []
    finally:
        for e in engines:
            e.dispose()
