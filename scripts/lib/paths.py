"""Where things are in the repository. Everything else takes these as defaults only."""

from __future__ import annotations

from pathlib import Path

__all__ = ["API_DIR", "ARTIFACTS_DIR", "LOCAL_DIR", "REPO_ROOT"]

REPO_ROOT = Path(__file__).resolve().parents[2]
API_DIR = REPO_ROOT / "api"
LOCAL_DIR = REPO_ROOT / ".local"
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"
