"""`permis scan` end to end (in process): SANE test device and the eSCL simulator."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from permis_desktop.cli import main
from permis_desktop.scan.devices.escl_driver import fetch_certificate_fingerprint
from permis_desktop.scan.devices.output import image_paths, jpeg_page_pdf

from .escl_sim import Faults, Simulator

DATA = Path(__file__).parent / "data"


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(feeder_pages=3) as simulator:
        yield simulator


@pytest.fixture
def sane_ready() -> None:
    pytest.importorskip(
        "sane", reason="python-sane absent (pip install python-sane ; paquet libsane-dev)"
    )
    from permis_desktop.scan.devices.sane_driver import SaneDriver

    if "sane:test:0" not in [d.id for d in SaneDriver().list_devices()]:
        pytest.skip("SANE test backend absent (Debian libsane1)")


def test_list_json_includes_the_sane_test_devices(
    sane_ready: None, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", "--list", "--json", "--timeout", "0"]) == 0
    devices = json.loads(capsys.readouterr().out)["devices"]
    ids = [d["id"] for d in devices]
    assert "sane:test:0" in ids
    assert {"id", "driver", "name", "vendor", "model", "connection"} <= set(devices[0])


def test_list_shows_manual_escl_addresses(
    sim: Simulator, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["config", "set", "capture.escl_addresses", sim.base_url]) == 0
    assert main(["scan", "--list", "--timeout", "0"]) == 0
    assert f"{sim.device_id}\tSimulated MFP 3000" in capsys.readouterr().out


def test_sane_feeder_to_pdf(
    sane_ready: None, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "scan.pdf"
    code = main(
        [
            "scan",
            "--device",
            "sane:test:0",
            "--source",
            "feeder",
            "--dpi",
            "50",
            "--max-pages",
            "4",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    assert "4 page(s) reçue(s)" in capsys.readouterr().out
    reader = PdfReader(out)
    assert len(reader.pages) == 4
    # 200 mm bed at 50 dpi → 393 px → 393 / 50 * 72 ≈ 566 pt.
    assert float(reader.pages[0].mediabox.width) == pytest.approx(566, abs=2)


def test_escl_feeder_to_image_pattern_with_json(
    sim: Simulator, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pattern = str(tmp_path / "page-{n}.jpg")
    code = main(
        [
            "scan",
            "--device",
            sim.device_id,
            "--source",
            "feeder",
            "--dpi",
            "75",
            "--mode",
            "gray",
            "--json",
            "-o",
            pattern,
        ]
    )
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert [p["page"] for p in report["pages"]] == [1, 2, 3]
    assert report["error"] is None
    for n in (1, 2, 3):
        image = Image.open(tmp_path / f"page-{n}.jpg")
        assert image.mode == "L" and image.size == (
            637,
            876,
        )  # the device's 2550 × 3507 area at 75 dpi
    assert report["pages"][0]["file"] == str(tmp_path / "page-1.jpg")


def test_escl_png_output_converts(sim: Simulator, data_dir: Path, tmp_path: Path) -> None:
    assert (
        main(["scan", "--device", sim.device_id, "--dpi", "75", "-o", str(tmp_path / "p.png")]) == 0
    )
    assert Image.open(tmp_path / "p.png").format == "PNG"


def test_failure_after_pages_writes_them_and_exits_1(
    sim: Simulator, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim.faults = Faults(conflict_after=2)
    out = tmp_path / "partial.pdf"
    code = main(
        ["scan", "--device", sim.device_id, "--source", "feeder", "--dpi", "75", "-o", str(out)]
    )
    assert code == 1
    captured = capsys.readouterr()
    assert "Bac vide ou bourrage" in captured.err and "2 page(s) reçue(s)" in captured.err
    assert len(PdfReader(out).pages) == 2


def test_bad_input_exits_2(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", "--device", "nope:1", "-o", str(tmp_path / "a.pdf")]) == 2
    assert "Identifiant de scanner invalide" in capsys.readouterr().err
    assert (
        main(["scan", "--device", "escl:http://127.0.0.1:9/eSCL", "-o", str(tmp_path / "a.doc")])
        == 2
    )
    assert "Format de sortie inconnu" in capsys.readouterr().err
    assert main(["scan", "--device", "escl:http://127.0.0.1:9/eSCL"]) == 2
    assert "-o" in capsys.readouterr().err
    assert (
        main(["scan", "--device", "escl:http://127.0.0.1:9/eSCL", "--dpi", "5", "-o", "a.pdf"]) == 2
    )
    with pytest.raises(SystemExit) as info:
        main(["scan", "--device", "x", "--source", "glass", "-o", "a.pdf"])
    assert info.value.code == 2


def test_offline_device_exits_1(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Simulator() as gone:
        device = gone.device_id
    assert main(["scan", "--device", device, "-o", str(tmp_path / "a.pdf")]) == 1
    assert "ne répond pas" in capsys.readouterr().err
    assert not (tmp_path / "a.pdf").exists()


def test_https_device_confirmed_from_the_command_line(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Simulator(certfile=DATA / "escl-cert-1.pem", keyfile=DATA / "escl-key-1.pem") as tls:
        out = str(tmp_path / "a.pdf")
        assert main(["scan", "--device", tls.device_id, "-o", out]) == 1
        err = capsys.readouterr().err
        fingerprint = fetch_certificate_fingerprint(tls.base_url)
        assert fingerprint in err
        assert (
            main(
                [
                    "scan",
                    "--device",
                    tls.device_id,
                    "--dpi",
                    "75",
                    "--trust-certificate",
                    fingerprint,
                    "-o",
                    out,
                ]
            )
            == 0
        )
        # Remembered: the next scan needs no confirmation.
        assert main(["scan", "--device", tls.device_id, "--dpi", "75", "-o", out]) == 0
    assert len(PdfReader(out).pages) == 1


def test_jpeg_embedded_without_reencoding() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 150), "teal").save(buffer, format="JPEG")
    pdf = jpeg_page_pdf(buffer.getvalue(), 150)
    assert buffer.getvalue() in pdf
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert float(page.mediabox.width) == pytest.approx(144)
    (image,) = page.images
    assert image.image.size == (300, 150)


def test_image_paths() -> None:
    assert image_paths("p.jpg", 1) == [Path("p.jpg")]
    assert image_paths("p.jpg", 2) == [Path("p-1.jpg"), Path("p-2.jpg")]
    assert image_paths("scan-{n}.png", 2) == [Path("scan-1.png"), Path("scan-2.png")]


def test_capabilities_of_a_device(
    sim: Simulator, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", "--device", sim.device_id, "--capabilities", "--json"]) == 0
    caps = json.loads(capsys.readouterr().out)
    assert caps["sources"] == ["flatbed", "feeder", "duplex"]
    assert caps["resolutions"] == [75, 100, 150, 200, 300, 600]
    assert main(["scan", "--device", sim.device_id, "--capabilities"]) == 0
    assert "feeder (chargeur)" in capsys.readouterr().out
    assert not sim.requests("POST")
