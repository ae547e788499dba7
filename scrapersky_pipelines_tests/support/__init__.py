"""Test infrastructure: real PostgreSQL, real pgbouncer, real loopback servers."""
