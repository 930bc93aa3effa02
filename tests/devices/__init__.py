"""Tests of the scanner drivers, the eSCL simulator and the watched folder."""
