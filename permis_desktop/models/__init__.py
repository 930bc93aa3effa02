"""What is stored: the ORM models, the database set-up with its migrations, the blob store."""
