"""scrapersky-pipelines: a Dagster code location for local-business lead discovery."""
