"""Qt-free parts of the capture screens: when to shoot, and the scan profiles."""

from __future__ import annotations

import pytest

from permis_desktop.ui.capture.analysis import (
    HOLD_SECONDS,
    PreviewAnalysis,
    StabilityTracker,
    analyse_preview,
)
from permis_desktop.ui.capture.profiles import (
    CARD_PRESET,
    SETTING,
    SHEET_PRESET,
    ScanProfile,
    is_customised,
    profile_for,
    save_profile,
)

from .conftest import card_scene, empty_desk

SQUARE = ((0.2, 0.2), (0.8, 0.2), (0.8, 0.8), (0.2, 0.8))


def seen(corners=SQUARE, sharpness: float = 0.5) -> PreviewAnalysis:  # type: ignore[no-untyped-def]
    return PreviewAnalysis(found=True, corners=corners, support=1.0, sharpness=sharpness)


def test_shoots_after_a_steady_sharp_hold() -> None:
    tracker = StabilityTracker()
    times = [i * 0.1 for i in range(int(HOLD_SECONDS / 0.1) + 2)]
    fired = [tracker.feed(seen(), t) for t in times]
    assert fired[-1] and not any(fired[: int(HOLD_SECONDS / 0.1)])


def test_movement_restarts_the_hold() -> None:
    tracker = StabilityTracker()
    for i in range(8):
        assert not tracker.feed(seen(), i * 0.1)
    moved = tuple((x + 0.05, y) for x, y in SQUARE)
    assert not tracker.feed(seen(moved), 0.8)
    assert not tracker.feed(seen(moved), 1.2)  # only 0.4 s since the move
    assert tracker.feed(seen(moved), 1.9)


def test_small_jitter_and_blur() -> None:
    tracker = StabilityTracker()
    jitter = tuple((x + 0.005, y - 0.005) for x, y in SQUARE)
    for i in range(11):
        tracker.feed(seen(SQUARE if i % 2 else jitter), i * 0.1)
    assert tracker.feed(seen(), 1.1)
    blurred = StabilityTracker()
    assert not any(blurred.feed(seen(sharpness=0.05), i * 0.2) for i in range(10))
    lost = StabilityTracker()
    assert not any(lost.feed(PreviewAnalysis(found=False), i * 0.2) for i in range(10))


def test_preview_analysis_finds_the_card_and_not_an_empty_desk() -> None:
    found = analyse_preview(card_scene(0), 1.586)
    assert found.found and found.sharp and len(found.corners) == 4
    assert all(0 <= x <= 1 and 0 <= y <= 1 for x, y in found.corners)
    tracked = analyse_preview(card_scene(0), 1.586, previous=found.corners)
    assert tracked.tracked
    assert (
        max(
            abs(a - b)
            for p, q in zip(tracked.corners, found.corners, strict=True)
            for a, b in zip(p, q, strict=True)
        )
        < 0.01
    )
    assert not analyse_preview(empty_desk(), 1.586).found


def test_profiles_are_preset_by_kind(desk) -> None:  # type: ignore[no-untyped-def]
    assert profile_for(desk.settings, "identity") == CARD_PRESET
    assert profile_for(desk.settings, "residence_proof") == CARD_PRESET
    assert profile_for(desk.settings, "proof_of_address") == SHEET_PRESET
    assert CARD_PRESET.request().dpi == 300 and SHEET_PRESET.request().source == "feeder"


def test_profiles_saved_reset_and_damaged(desk) -> None:  # type: ignore[no-untyped-def]
    mine = ScanProfile(source="flatbed", dpi=150, color_mode="bw")
    save_profile(desk.settings, "proof_of_address", mine)
    assert profile_for(desk.settings, "proof_of_address") == mine
    assert is_customised(desk.settings, "proof_of_address")
    save_profile(desk.settings, "proof_of_address", SHEET_PRESET)  # back to the preset
    assert not is_customised(desk.settings, "proof_of_address")
    desk.settings.set(SETTING, "{not json")
    assert profile_for(desk.settings, "identity") == CARD_PRESET
    desk.settings.set(
        SETTING, '{"identity": {"source": "roof", "dpi": 300, "color_mode": "color"}}'
    )
    assert profile_for(desk.settings, "identity") == CARD_PRESET


@pytest.mark.parametrize("kind", ["identity", "medical_opinion"])
def test_profile_requests_carry_the_profile(kind: str, desk) -> None:  # type: ignore[no-untyped-def]
    profile = profile_for(desk.settings, kind)
    request = profile.request()
    assert (request.source, request.dpi, request.color_mode) == (
        profile.source,
        profile.dpi,
        profile.color_mode,
    )
