"""The dossier editor: a wizard whose pages come from `procedures.flow`, autosaved."""
