"""Developer scripts. The Python parts live in :mod:`scripts.lib` so the test harness reuses them."""
