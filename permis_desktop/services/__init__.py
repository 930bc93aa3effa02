"""Use cases shared by the window and the `permis` command. Each call is one transaction and
returns plain dataclasses, never live ORM objects."""
