"""Benchmarks of pdlint against the simulated PagerDuty API; `python bench/run.py` runs them."""
