"""Dagster definitions, one folder per part of the pipeline."""
