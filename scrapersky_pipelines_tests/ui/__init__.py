"""Browser tests of the Dagster UI serving this code location."""
