"""Hardening tests: hostile and broken input, crashes, private data, staff-edited templates.

See docs/threats.md for the threat each test covers.
"""
