"""Capture pipeline: turn a photo, a scan or a PDF into a clean, checked, compact page.

Pure numpy/OpenCV/Pillow/pypdf code, no Qt, so that the command line, the desk
services and the capture UI share one implementation.  Sub-packages
``devices`` and ``recognize`` hold scanner/camera access and text recognition.
"""
