"""Read the documents: the MRZ of identity documents and the 2D-Doc of proofs of address.

The API the desk (wizard, services) and `permis read-mrz` / `permis read-2ddoc` use. Every
function takes a path or the file's bytes (image or PDF), optional `progress(fraction, text)`
and `cancel()` callbacks, runs offline without Qt, and returns plain dataclasses:

    read_mrz(source, progress=None, cancel=None) -> MrzResult
    read_2ddoc(source, trust_dir=None, cache_dir=None, progress=None, cancel=None) -> TwoDDocResult
    compare_mrz(result, person_facts) -> list[FieldComparison]      # (field, read, typed, match)
    compare_identity_piece(result, piece_facts) -> list[FieldComparison]
    compare_2ddoc(result, person_facts, address_facts=None) -> list[FieldComparison]

Failures raise `permis_desktop.errors` exceptions with a French message: BadInput for an
unreadable file, OperationFailed when no MRZ / no 2D-Doc is found, Cancelled on cancel.
"""

from __future__ import annotations

from permis_desktop.scan.recognize.compare import (
    FieldComparison,
    compare_2ddoc,
    compare_identity_piece,
    compare_mrz,
)
from permis_desktop.scan.recognize.mrz_parse import MrzResult, parse_mrz
from permis_desktop.scan.recognize.mrz_read import NO_MRZ_MESSAGE, read_mrz
from permis_desktop.scan.recognize.pages import Cancelled
from permis_desktop.scan.recognize.twoddoc import NO_2DDOC_MESSAGE, TwoDDocResult, read_2ddoc
from permis_desktop.scan.recognize.twoddoc_trust import TrustStore

__all__ = [
    "NO_2DDOC_MESSAGE",
    "NO_MRZ_MESSAGE",
    "Cancelled",
    "FieldComparison",
    "MrzResult",
    "TrustStore",
    "TwoDDocResult",
    "compare_2ddoc",
    "compare_identity_piece",
    "compare_mrz",
    "parse_mrz",
    "read_2ddoc",
    "read_mrz",
]
