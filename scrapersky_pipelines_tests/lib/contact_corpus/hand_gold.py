"""Gold labels for the hand-written corpus pages (pages/hand-*.html), written by reading each page."""

from __future__ import annotations

HAND_GOLD: list[dict] = []
