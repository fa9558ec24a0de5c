"""The deploy refuses a Lambda bundle that lacks a pinned runtime dependency: chalice package only
warns when a distribution has no wheel the Lambda's runtime can load (Pillow 13's wheels need a
newer glibc than the python3.11 runtime's) and leaves it out, which would fail in production at the
first import."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from scripts.lib.deploy import check_bundle_has_requirements
from scripts.lib.deploy_template import TemplateError
from scripts.lib.paths import API_DIR


def bundle(tmp_path: Path, *dist_infos: str) -> Path:
    path = tmp_path / "deployment.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("app.py", "")
        for name in dist_infos:
            archive.writestr(f"{name}.dist-info/METADATA", "")
    return path


def test_a_bundle_with_every_pin_passes(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(
        "# runtime\nPyJWT[crypto]==2.15.1\nPillow==12.2.0  # images\nemail-validator==2.4.0\n"
    )
    check_bundle_has_requirements(
        bundle(tmp_path, "pyjwt-2.15.1", "pillow-12.2.0", "email_validator-2.4.0"), requirements
    )


def test_a_distribution_left_out_or_at_another_version_is_refused(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("Pillow==13.0.0\nfiletype==1.2.0\n")
    with pytest.raises(TemplateError, match=r"pillow==13\.0\.0") as refused:
        check_bundle_has_requirements(bundle(tmp_path, "filetype-1.2.0", "pillow-12.2.0"), requirements)
    assert "filetype" not in str(refused.value).split("lacks", 1)[1].split(":", 1)[0]


def test_the_runtime_requirements_are_all_pinned() -> None:
    lines = [
        line.split("#", 1)[0].strip()
        for line in (API_DIR / "requirements.txt").read_text(encoding="utf-8").splitlines()
    ]
    assert all("==" in line for line in lines if line), "every runtime dependency is pinned"
