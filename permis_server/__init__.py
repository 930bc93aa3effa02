"""permis-server: the agency's dossier service that the desks sync to (DESIGN.md, issue "Sync").

The desks work offline and push validated dossiers here when they can; the back office files
them on the ANTS teleservice (which has no public interface) and records ANTS's answers here,
and the desks read those status changes back from a cursor feed. All state lives in the
database (SQLite by default, PostgreSQL by URL) and in a content-addressed file store, so
several server processes can serve the same agency behind a proxy.
"""

__version__ = "0.1.0"
API_VERSION = "v1"
