"""Builders of the reference data the runtime ships (run by hand, offline, never at run time)."""
