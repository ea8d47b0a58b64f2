"""Placeholder package: built by a later issue (see issues 3–5)."""
