"""Papers in the window: previews and printing, the filing assistant, the ANTS documents,
the mandate dialogs and the Documents menu (over services/papers.py)."""
