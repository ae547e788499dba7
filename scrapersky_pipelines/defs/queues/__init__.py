"""Generic queue wiring shared by every stage: stage specs, claim sensors, reaper, failure requeue."""
