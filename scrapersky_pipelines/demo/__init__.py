"""Synthetic web and fake Google Places API served on loopback for tests, benchmarks and the demo."""
