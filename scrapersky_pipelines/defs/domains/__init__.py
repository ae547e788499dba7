"""Domains: submission, the homepage metadata scan (WF4) and its policies."""
