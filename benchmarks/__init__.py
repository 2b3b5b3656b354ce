"""Benchmarks of ninbai (not part of the installed package): ``python -m benchmarks.batch``."""
