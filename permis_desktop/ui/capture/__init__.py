"""The capture screens: scanner, camera, page editor and the "À classer" inbox.

Each dialog works on one piece of one dossier (`ctx`, the background `Worker`, the dossier
id and the piece kind) and attaches pages through `services.pieces.PieceService`; all
device and pipeline work runs on the worker, so a device that hangs never freezes the
window. The drivers (`scan.devices`) and the pipeline (`scan.pipeline`) know nothing of Qt.
"""
