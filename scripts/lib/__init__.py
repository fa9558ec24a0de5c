"""Launchers for the local stack, shared by ``./scripts/serve`` and the test fixtures.

Import from the repository root (``python -m scripts.lib.serve``; pytest has ``.`` on its path).
"""
