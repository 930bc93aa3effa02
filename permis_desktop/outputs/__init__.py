"""Documents the desk produces: client checklist, mandate, hosting attestation, dossier
summary, ANTS data sheet and submission kit. Pure Python (fpdf2 draws, pypdf assembles); no
Qt: the UI previews and prints the bytes these functions return.
"""
