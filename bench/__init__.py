"""Benchmarks that print figures (``make bench``); see bench/README.md."""
