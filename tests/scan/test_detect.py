"""Finding the whole document when printed lines, shadows or a thumb compete with its outline."""

from __future__ import annotations

import corpus_metrics as cm
import numpy as np
import pytest
from conftest import first_sample, mc

from permis_desktop.scan.detect import detect_corners
from permis_desktop.scan.loader import open_source
from permis_desktop.scan.pipeline import process_file


@pytest.mark.parametrize(
    ("condition", "seed"),
    [("shadow", 3), ("shadow", 5), ("shadow", 7), ("shadow", 8), ("white_table", 2)],
)
def test_a_bill_is_found_whole_not_as_a_block_of_its_text(tmp_path, condition, seed):
    # On these photos a rectangle of text lines or the printed table is well outlined too;
    # the sheet is the one to keep.
    sample = first_sample(seed, kind="proof_of_address", condition=condition)
    path = mc.save_jpeg(sample, tmp_path / f"{sample.name}.jpg")
    page = process_file(path, "proof_of_address").pages[0]
    assert cm.corner_error(np.array(page.corners), np.array(sample.corners)) <= 0.015
    assert page.verdict == "ok", page.reasons


@pytest.mark.parametrize("seed", [1, 5, 6, 8])
def test_a_bill_under_a_thumb_is_reported_cut_off_not_too_small(tmp_path, seed):
    sample = first_sample(seed, kind="proof_of_address", condition="occluded")
    path = mc.save_jpeg(sample, tmp_path / f"{sample.name}.jpg")
    page = process_file(path, "proof_of_address").pages[0]
    assert page.verdict == "cut_off", page.reasons


def test_the_aspect_hint_works_either_way_round(tmp_path):
    # A4 is 210 x 297: a portrait hint (0.707) and a landscape one (1.414) mean the same shape.
    sample = first_sample(3, kind="proof_of_address", condition="shadow")
    path = mc.save_jpeg(sample, tmp_path / "bill.jpg")
    image = open_source(path)[0].decode(4)
    portrait = detect_corners(image, aspect_hint=210 / 297)
    landscape = detect_corners(image, aspect_hint=297 / 210)
    assert portrait.found and portrait.points == landscape.points
    truth = np.array(sample.corners) * (image.shape[1] / sample.image.shape[1])
    assert cm.corner_error(portrait.array(), truth) <= 0.03
