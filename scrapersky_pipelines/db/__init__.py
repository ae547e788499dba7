"""Database layer: models, engines, migrations and queue operations."""
