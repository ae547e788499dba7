"""Reliability and security suite: real processes, real servers, injected faults."""
