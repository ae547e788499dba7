"""Dagster resources and the IO manager: thin wrappers over `lib/` and `db/`."""
