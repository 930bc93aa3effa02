"""The eSCL driver against the device simulator (real HTTP on 127.0.0.1, real JPEG/PDF pages)."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from permis_desktop.errors import BadInput
from permis_desktop.scan.devices.base import (
    CancelToken,
    DeviceBusy,
    DeviceOffline,
    FeederEmpty,
    FeederEmptyOrJam,
    PaperJam,
    ScanCancelled,
    ScanProgress,
    ScanRequest,
    UnsupportedSetting,
    UntrustedCertificate,
)
from permis_desktop.scan.devices.escl_driver import (
    EsclDriver,
    EsclEndpoint,
    RetryPolicy,
    fetch_certificate_fingerprint,
)

from .escl_sim import Faults, Simulator

DATA = Path(__file__).parent / "data"
FAST_RETRY = RetryPolicy(first_delay=0.001, max_delay=0.005)


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(feeder_pages=3) as simulator:
        yield simulator


def driver(**kwargs: object) -> EsclDriver:
    kwargs.setdefault("retry", FAST_RETRY)
    kwargs.setdefault("read_timeout", 5.0)
    return EsclDriver(**kwargs)  # type: ignore[arg-type]


def jpeg_size(data: bytes) -> tuple[int, int]:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    return image.size


def test_capabilities(sim: Simulator) -> None:
    caps = driver().capabilities(sim.device_id)
    assert caps.sources == ("flatbed", "feeder", "duplex")
    assert caps.color_modes == ("color", "gray", "bw")
    assert caps.resolutions == (75, 100, 150, 200, 300, 600)
    assert caps.formats == ("image/jpeg", "application/pdf")
    assert caps.max_width_mm == pytest.approx(215.9)


def test_flatbed_page_then_job_deleted(sim: Simulator) -> None:
    pages = list(driver().scan(sim.device_id, ScanRequest(source="flatbed", dpi=100)))
    assert len(pages) == 1
    # The whole platen (2550 × 3507 in 1/300 inch, as the capabilities say) at 100 dpi.
    assert jpeg_size(pages[0].data) == (850, 1169)
    assert (pages[0].width, pages[0].height) == (850, 1169)
    assert pages[0].media_type == "image/jpeg" and pages[0].dpi == 100
    deletes = sim.requests("DELETE")
    assert len(deletes) == 1 and deletes[0].status == 200
    (job,) = sim.jobs.values()
    assert job.source == "Platen" and job.color_mode == "RGB24"


def test_feeder_until_404(sim: Simulator) -> None:
    pages = list(
        driver().scan(sim.device_id, ScanRequest(source="feeder", dpi=75, color_mode="gray"))
    )
    assert [p.index for p in pages] == [1, 2, 3]
    assert Image.open(io.BytesIO(pages[0].data)).mode == "L"
    # Three pages, then the 404 that ends the job, then DELETE.
    assert [e.status for e in sim.requests("GET", "NextDocument")] == [200, 200, 200, 404]
    assert len(sim.requests("DELETE")) == 1


def test_duplex_asks_for_duplex(sim: Simulator) -> None:
    pages = list(driver().scan(sim.device_id, ScanRequest(source="duplex", dpi=75)))
    assert len(pages) == 6
    (job,) = sim.jobs.values()
    assert job.source == "Feeder" and job.duplex


def test_resolution_snaps_to_the_device_list(sim: Simulator) -> None:
    (page,) = driver().scan(sim.device_id, ScanRequest(dpi=120))
    assert page.dpi == 100
    assert next(iter(sim.jobs.values())).dpi == 100


def test_pdf_only_device(sim: Simulator) -> None:
    sim.formats = ("application/pdf",)
    pages = list(driver().scan(sim.device_id, ScanRequest(source="feeder", dpi=75)))
    assert len(pages) == 1 and pages[0].media_type == "application/pdf"
    assert len(PdfReader(io.BytesIO(pages[0].data)).pages) == 3


def test_max_pages_stops_and_deletes_the_job(sim: Simulator) -> None:
    pages = list(driver().scan(sim.device_id, ScanRequest(source="feeder", dpi=75, max_pages=2)))
    assert len(pages) == 2
    assert len(sim.requests("DELETE")) == 1


def test_caller_stopping_early_releases_the_job(sim: Simulator) -> None:
    scan = driver().scan(sim.device_id, ScanRequest(source="feeder", dpi=75))
    first = next(scan)
    assert first.index == 1
    scan.close()
    assert len(sim.requests("DELETE")) == 1


def test_503_runs_are_retried(sim: Simulator) -> None:
    sim.faults = Faults(post_503=3, next_503=4)
    pages = list(driver().scan(sim.device_id, ScanRequest(source="feeder", dpi=75)))
    assert len(pages) == 3
    assert [e.status for e in sim.requests("POST")] == [503, 503, 503, 201]
    assert sum(e.status == 503 for e in sim.requests("GET", "NextDocument")) == 4 * 4


def test_endless_503_gives_busy(sim: Simulator) -> None:
    sim.faults = Faults(post_503=1000)
    with pytest.raises(DeviceBusy, match="occupé"):
        list(
            driver(retry=RetryPolicy(other_tries=4, first_delay=0.001)).scan(
                sim.device_id, ScanRequest()
            )
        )
    assert len(sim.requests("POST")) == 4


def test_409_after_pages_keeps_them_and_says_feeder_or_jam(sim: Simulator) -> None:
    sim.faults = Faults(conflict_after=2, adf_state="ScannerAdfProcessing")
    received = []
    with pytest.raises(FeederEmptyOrJam, match="Bac vide ou bourrage") as info:
        for page in driver().scan(sim.device_id, ScanRequest(source="feeder", dpi=75)):
            received.append(page)
    assert [p.index for p in received] == [1, 2]
    assert info.value.pages_received == 2
    assert "2 page(s) reçue(s)" in str(info.value)
    assert len(sim.requests("DELETE")) == 1


def test_409_with_jam_status_after_a_page_says_jam(sim: Simulator) -> None:
    sim.faults = Faults(conflict_after=1, adf_state="ScannerAdfJam")
    with pytest.raises(PaperJam, match="Bourrage") as info:
        list(driver().scan(sim.device_id, ScanRequest(source="feeder", dpi=75)))
    assert info.value.pages_received == 1


def test_409_with_jam_status_before_any_page_stays_cautious(sim: Simulator) -> None:
    # Canon MF410-like: an empty feeder at the start is reported as a jam.
    sim.faults = Faults(conflict_after=0, adf_state="ScannerAdfJam")
    with pytest.raises(FeederEmptyOrJam, match="Bac vide ou bourrage"):
        list(driver().scan(sim.device_id, ScanRequest(source="feeder", dpi=75)))


def test_409_with_empty_feeder_after_pages_is_the_normal_end(sim: Simulator) -> None:
    # AirSane before PR #135 answered 409 instead of 404 once the feeder ran out.
    sim.faults = Faults(conflict_after=3, adf_state="ScannerAdfEmpty")
    pages = list(driver().scan(sim.device_id, ScanRequest(source="feeder", dpi=75)))
    assert len(pages) == 3
    assert len(sim.requests("DELETE")) == 1


def test_409_on_job_creation_with_empty_feeder(sim: Simulator) -> None:
    sim.faults = Faults(post_409=True, adf_state="ScannerAdfEmpty")
    with pytest.raises(FeederEmpty, match="chargeur est vide"):
        list(driver().scan(sim.device_id, ScanRequest(source="feeder", dpi=75)))


def test_feeder_with_no_page_at_all(sim: Simulator) -> None:
    sim.feeder_pages = 0
    with pytest.raises(FeederEmpty):
        list(driver().scan(sim.device_id, ScanRequest(source="feeder", dpi=75)))


def test_location_host_is_never_trusted(sim: Simulator) -> None:
    sim.faults = Faults(bad_location_host=True)
    pages = list(driver().scan(sim.device_id, ScanRequest(source="feeder", dpi=75)))
    assert len(pages) == 3
    # Every request went to the configured address (nothing listens on 127.0.0.2:1).
    assert {e.host for e in sim.log} == {f"127.0.0.1:{sim.port}"}
    assert len(sim.requests("DELETE")) == 1


def test_relative_location(sim: Simulator) -> None:
    sim.faults = Faults(relative_location=True)
    assert len(list(driver().scan(sim.device_id, ScanRequest(source="feeder", dpi=75)))) == 3


def test_slow_body_arrives_whole_with_byte_progress(sim: Simulator) -> None:
    sim.faults = Faults(slow_body=0.02)
    reports: list[ScanProgress] = []
    (page,) = driver().scan(sim.device_id, ScanRequest(dpi=150), progress=reports.append)
    assert jpeg_size(page.data) == (1275, 1753)
    partial = [r.fraction for r in reports if r.fraction is not None and 0 < r.fraction < 1]
    assert len(partial) >= 2 and partial == sorted(partial)


def test_dropped_connection_keeps_earlier_pages(sim: Simulator) -> None:
    sim.faults = Faults(drop_at_page=2)
    received = []
    with pytest.raises(DeviceOffline, match="coupée") as info:
        for page in driver().scan(sim.device_id, ScanRequest(source="feeder", dpi=75)):
            received.append(page)
    assert [p.index for p in received] == [1]
    jpeg_size(received[0].data)
    assert info.value.pages_received == 1


def test_stalled_body_times_out_and_keeps_earlier_pages(sim: Simulator) -> None:
    sim.faults = Faults(stall_at_page=3, stall_seconds=3.0)
    received = []
    with pytest.raises(DeviceOffline, match="ne répond plus"):
        for page in driver(read_timeout=0.3).scan(
            sim.device_id, ScanRequest(source="feeder", dpi=75)
        ):
            received.append(page)
    assert len(received) == 2


def test_cancel_during_503_wait(sim: Simulator) -> None:
    sim.faults = Faults(next_503=1000)
    cancel = CancelToken()
    slow = driver(retry=RetryPolicy(page_tries=1000, first_delay=0.05, max_delay=0.05))
    timer = threading.Timer(0.2, cancel.cancel)
    timer.start()
    with pytest.raises(ScanCancelled):
        list(slow.scan(sim.device_id, ScanRequest(source="feeder", dpi=75), cancel=cancel))
    timer.join()
    assert len(sim.requests("DELETE")) == 1


def test_cancel_between_pages(sim: Simulator) -> None:
    cancel = CancelToken()
    received = []
    with pytest.raises(ScanCancelled) as info:
        for page in driver().scan(
            sim.device_id, ScanRequest(source="feeder", dpi=75), cancel=cancel
        ):
            received.append(page)
            cancel.cancel()
    assert len(received) == 1 and info.value.pages_received == 1


def test_missing_source_is_refused(sim: Simulator) -> None:
    sim.adf = False
    with pytest.raises(UnsupportedSetting, match="feeder"):
        list(driver().scan(sim.device_id, ScanRequest(source="feeder")))


def test_unreachable_device() -> None:
    with Simulator() as gone:
        device_id = gone.device_id
    with pytest.raises(DeviceOffline, match="ne répond pas"):
        driver(connect_timeout=1.0).capabilities(device_id)


def test_bad_addresses_are_bad_input() -> None:
    for bad in (
        "escl:ftp://192.0.2.1/eSCL",
        "escl:",
        "escl:http://:80/eSCL",
        "escl:http://h:99999/x",
    ):
        with pytest.raises(BadInput):
            driver().capabilities(bad)


def test_host_header_always_names_the_port() -> None:
    assert EsclEndpoint.parse("http://192.0.2.10/eSCL").host_header == "192.0.2.10:80"
    assert EsclEndpoint.parse("https://scanner.local/eSCL").host_header == "scanner.local:443"
    assert EsclEndpoint.parse("http://[2001:db8::5]:8080/eSCL").host_header == "[2001:db8::5]:8080"


def test_endpoint_keeps_configured_host() -> None:
    ep = EsclEndpoint.parse("http://192.0.2.10:8080/eSCL/")
    assert ep.base_url == "http://192.0.2.10:8080/eSCL"
    assert (
        ep.job_url("http://[fe80::1%25eth0]:80/eSCL/ScanJobs/7")
        == "http://192.0.2.10:8080/eSCL/ScanJobs/7"
    )
    assert ep.job_url("ScanJobs/8") == "http://192.0.2.10:8080/eSCL/ScanJobs/8"


def test_manual_address_listed_with_its_model(sim: Simulator) -> None:
    devices = driver(manual_urls=(sim.base_url,)).list_devices(timeout=0)
    assert [(d.id, d.name) for d in devices] == [(sim.device_id, "Simulated MFP 3000")]


# -- HTTPS with a self-signed certificate --------------------------------------------------


@pytest.fixture
def tls_sim() -> Iterator[Simulator]:
    with Simulator(certfile=DATA / "escl-cert-1.pem", keyfile=DATA / "escl-key-1.pem") as simulator:
        yield simulator


def test_https_unconfirmed_device_is_refused_with_its_fingerprint(tls_sim: Simulator) -> None:
    with pytest.raises(UntrustedCertificate) as info:
        driver().capabilities(tls_sim.device_id)
    expected = fetch_certificate_fingerprint(tls_sim.base_url)
    assert info.value.fingerprint == expected
    assert len(expected) == 95  # 32 bytes as AA:BB:…
    assert "Confirmez l'appareil" in str(info.value)


def test_https_confirmed_device_scans(tls_sim: Simulator) -> None:
    pin = fetch_certificate_fingerprint(tls_sim.base_url)
    confirmed = driver(pins={f"127.0.0.1:{tls_sim.port}": pin.replace(":", "").lower()})
    pages = list(confirmed.scan(tls_sim.device_id, ScanRequest(source="feeder", dpi=75)))
    assert len(pages) == 3


def test_https_changed_certificate_is_refused(tls_sim: Simulator) -> None:
    with Simulator(certfile=DATA / "escl-cert-2.pem", keyfile=DATA / "escl-key-2.pem") as other:
        other_pin = fetch_certificate_fingerprint(other.base_url)
    confirmed = driver(pins={f"127.0.0.1:{tls_sim.port}": other_pin})
    with pytest.raises(UntrustedCertificate, match="a changé"):
        list(confirmed.scan(tls_sim.device_id, ScanRequest()))
    assert not tls_sim.requests("POST")


def test_manual_address_not_answering_is_still_listed() -> None:
    with Simulator() as gone:
        url, netloc = gone.base_url, f"127.0.0.1:{gone.port}"
    devices = driver(manual_urls=(url,)).list_devices(timeout=0)
    assert [(d.id, d.name, d.connection) for d in devices] == [(f"escl:{url}", netloc, "network")]
