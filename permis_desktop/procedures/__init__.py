"""The rules: procedures, categories, pieces, eligibility, checklists, identifier validators,
lifecycle. Pure Python: no Qt, no database, no I/O."""
