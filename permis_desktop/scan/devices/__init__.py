"""Scanner drivers (SANE, eSCL, WIA) and the watched folder, behind one Qt-free interface.

See `base.py` for the `ScannerDriver` protocol and the plain dataclasses the capture UI and
`permis scan` use.
"""
