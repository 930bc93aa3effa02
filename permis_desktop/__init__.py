"""permis-desktop: prepare ANTS driving-licence dossiers at a driving school's front desk."""

__version__ = "0.1.0"
APP_NAME = "permis-desktop"
APP_AUTHOR = "permis-desktop"
