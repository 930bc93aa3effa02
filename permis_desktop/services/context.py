"""The objects a running desk needs, opened once: paths, settings, database, blob store."""

from __future__ import annotations

from dataclasses import dataclass

from permis_desktop.models.blobstore import BlobStore
from permis_desktop.models.db import Database, open_database
from permis_desktop.paths import AppPaths
from permis_desktop.settings import Settings


@dataclass
class DeskContext:
    paths: AppPaths
    settings: Settings
    db: Database
    blobs: BlobStore

    @classmethod
    def open(cls, paths: AppPaths, migrate: bool = True) -> DeskContext:
        paths.ensure()
        settings = Settings(paths.settings_file)
        db = open_database(paths.database, paths.backups, migrate=migrate)
        return cls(paths=paths, settings=settings, db=db, blobs=BlobStore(paths.blobs))

    def delete_dossier(self, dossier_id: str) -> int:
        """Delete a dossier with everything it left on disk: its rows, the page files no
        other row uses and the kits prepared for it. Returns how many page files went."""
        from permis_desktop.outputs.kit import remove_kits
        from permis_desktop.services.dossiers import DossierService

        service = DossierService(self.db)
        service.delete(dossier_id)
        removed = self.blobs.gc(service.referenced_blobs())
        remove_kits(self.paths.kits, dossier_id)
        return removed

    def close(self) -> None:
        self.db.close()
