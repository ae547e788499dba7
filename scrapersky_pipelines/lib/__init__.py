"""Pure domain logic: no Dagster, no database."""
