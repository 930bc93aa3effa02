"""End to end without a window: pages from the SANE test device, the eSCL simulator and the
watched folder become pages of a dossier's piece through the desk's own services."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from permis_desktop.scan.devices import (
    DeviceRegistry,
    Inbox,
    ScanRequest,
    WatchedFolder,
    collect_pages,
    inbox_dir,
)
from permis_desktop.scan.devices.escl_driver import EsclDriver
from permis_desktop.scan.devices.output import write_pages

from .escl_sim import Simulator

pytestmark = pytest.mark.slow

PIECE = "proof_of_address"


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(feeder_pages=2) as simulator:
        yield simulator


def new_dossier(desk) -> str:  # type: ignore[no-untyped-def]
    from permis_desktop.services.dossiers import DossierService

    return DossierService(desk.db).create({"procedure": "exam_registration_first"})


def attach(desk, dossier_id: str, files: list[Path]) -> int:  # type: ignore[no-untyped-def]
    from permis_desktop.services.dossiers import DossierService
    from permis_desktop.services.pieces import PieceService

    PieceService(desk).attach_files(dossier_id, PIECE, files)
    detail = DossierService(desk.db).get(dossier_id)
    (piece,) = [p for p in detail.pieces if p.kind == PIECE]
    return len(piece.pages)


def test_escl_feeder_pages_into_a_piece(desk, sim: Simulator, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    registry = DeviceRegistry([EsclDriver()])
    outcome = collect_pages(registry.scan(sim.device_id, ScanRequest(source="feeder", dpi=150)))
    assert outcome.error is None and len(outcome.pages) == 2
    files = write_pages(outcome.pages, str(tmp_path / "scan-{n}.jpg"))
    assert attach(desk, new_dossier(desk), files) == 2


def test_sane_test_device_page_into_a_piece(desk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip(
        "sane", reason="python-sane absent (pip install python-sane ; paquet libsane-dev)"
    )
    from permis_desktop.scan.devices.sane_driver import SaneDriver

    driver = SaneDriver(extra_options={"test_picture": "Color pattern"})
    if "sane:test:0" not in [d.id for d in driver.list_devices()]:
        pytest.skip("SANE test backend absent (Debian libsane1)")
    try:
        outcome = collect_pages(driver.scan("sane:test:0", ScanRequest(dpi=100)))
    finally:
        # The test backend keeps option values across opens.
        list(
            SaneDriver(extra_options={"test_picture": "Solid black"}).scan(
                "sane:test:0", ScanRequest(dpi=25)
            )
        )
    assert outcome.error is None
    files = write_pages(outcome.pages, str(tmp_path / "flatbed.png"))
    assert attach(desk, new_dossier(desk), files) == 1


def test_watched_folder_file_into_a_piece(desk, sim: Simulator, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # A printer's "scan to folder": the simulator's page saved as the printer would.
    (page,) = collect_pages(EsclDriver().scan(sim.device_id, ScanRequest(dpi=150))).pages
    watched = tmp_path / "scans"
    watched.mkdir()
    (watched / "SCAN0001.JPG").write_bytes(page.data)
    folder = WatchedFolder(watched, Inbox(inbox_dir(desk.paths.data)))
    assert folder.poll() == []
    (item,) = folder.poll()
    assert attach(desk, new_dossier(desk), [item.path]) == 1
    filed = folder.inbox.assign(item)
    assert filed.read_bytes() == page.data and folder.inbox.items() == []
