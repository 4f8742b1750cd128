"""Backups of the embedded SQLite database, and restoring one of them.

``copies`` makes a backup with SQLite's online backup (the application may keep writing) and
keeps a rotation of the newest ones; ``restore`` checks a backup (integrity, schema, ledger
chain) before it replaces the database. A PostgreSQL database is the server's job (pg_dump).
"""
