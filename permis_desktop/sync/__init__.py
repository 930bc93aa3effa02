"""Getting dossiers out and statuses back (DESIGN.md, "Sync"); no Qt here.

`client` speaks the dossier service's HTTP API, `outbox` sends the queued dossiers (page
files first, then the document), `feed` applies the status changes the agency recorded, and
`worker` runs both on its own thread, on a timer and on demand.
"""
