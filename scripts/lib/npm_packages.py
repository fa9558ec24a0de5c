"""Pinned npm packages unpacked under .local/ (nothing in git, no global install): how the project gets
AWS DynamoDB Local, axe-core and the local SES v2 server. Concurrent callers wait on a lock; a marker
file says what a folder holds, so a new pin replaces it.

Two ways in, one installer:
- ``ensure_npm_package(spec, ...)``: ``npm pack`` one package and unpack it; for packages that need
  nothing else (a jar, a single script).
- ``ensure_npm_project(project_dir, ...)``: ``npm ci`` from a committed ``package.json`` and
  ``package-lock.json``; for a program with dependencies, every one of them pinned by the lock file
  (version and integrity hash). Install scripts are not run.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = [
    "NpmPackageError",
    "ensure_npm_package",
    "ensure_npm_project",
    "npm_package_installed",
    "npm_project_installed",
    "project_marker",
]

_MARKER = ".installed-from"
_PROJECT_FILES = ("package.json", "package-lock.json")


class NpmPackageError(RuntimeError):
    """The package could not be fetched or does not hold the expected file."""


def _installed(install_dir: Path, required: Path, marker_text: str) -> bool:
    marker = install_dir / _MARKER
    return (
        (install_dir / required).is_file()
        and marker.is_file()
        and marker.read_text(encoding="utf-8").strip() == marker_text
    )


def _run_npm(args: list[str], *, cwd: Path, timeout: float, what: str) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise NpmPackageError(f"npm is needed to fetch {what} and is missing")
    try:
        done = subprocess.run(
            [npm, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise NpmPackageError(f"npm {' '.join(args)} took longer than {timeout:.0f} s") from error
    if done.returncode != 0:
        raise NpmPackageError(f"npm {' '.join(args)} failed ({done.returncode}):\n{done.stderr.strip()}")


def _install(
    install_dir: Path,
    required: Path,
    marker_text: str,
    fill: Callable[[Path], Path],
    *,
    what: str,
    announce: Callable[[str], None] | None,
) -> Path:
    """``install_dir`` made by ``fill(work_dir) -> folder`` unless it already holds ``marker_text``.

    The folder is built beside ``install_dir`` and renamed into place, so a half-finished install is
    never taken for a finished one.
    """
    if _installed(install_dir, required, marker_text):
        return install_dir / required
    install_dir.parent.mkdir(parents=True, exist_ok=True)
    with (install_dir.parent / f".{install_dir.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _installed(install_dir, required, marker_text):  # another process did it meanwhile
            return install_dir / required
        if shutil.which("npm") is None:
            raise NpmPackageError(f"npm is needed to fetch {what} and is missing")
        if announce:
            announce(what)
        with tempfile.TemporaryDirectory(dir=install_dir.parent, prefix=f".{install_dir.name}-") as tmp:
            built = fill(Path(tmp))
            if not (built / required).is_file():
                raise NpmPackageError(f"{what} has no {required}: its layout changed")
            (built / _MARKER).write_text(marker_text + "\n", encoding="utf-8")
            if install_dir.exists():
                shutil.rmtree(install_dir)
            built.rename(install_dir)
    return install_dir / required


def npm_package_installed(spec: str, install_dir: Path, required: Path) -> bool:
    return _installed(install_dir, required, spec)


def ensure_npm_package(
    spec: str,
    install_dir: Path,
    required: Path,
    *,
    timeout: float = 600,
    announce: Callable[[str], None] | None = None,
) -> Path:
    """``install_dir`` holding ``spec`` unpacked (``required`` is a file the package must have)."""

    def fill(work: Path) -> Path:
        _run_npm(["pack", spec, "--silent"], cwd=work, timeout=timeout, what=spec)
        tarballs = sorted(work.glob("*.tgz"))
        if not tarballs:
            raise NpmPackageError(f"npm pack {spec} left no tarball")
        unpacked = work / "unpacked"
        with tarfile.open(tarballs[0]) as archive:
            archive.extractall(unpacked, filter="data")
        return unpacked

    return _install(install_dir, required, spec, fill, what=f"npm pack {spec}", announce=announce)


def project_marker(project_dir: Path) -> str:
    """What an install from ``project_dir`` is recorded as: a hash of its package and lock files,
    so a changed pin (or lock) installs afresh."""
    digest = hashlib.sha256()
    for name in _PROJECT_FILES:
        path = project_dir / name
        if not path.is_file():
            raise NpmPackageError(f"{path} is missing: the pinned npm project is incomplete")
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return f"npm ci {project_dir.name} sha256:{digest.hexdigest()}"


def npm_project_installed(project_dir: Path, install_dir: Path, required: Path) -> bool:
    return _installed(install_dir, required, project_marker(project_dir))


def ensure_npm_project(
    project_dir: Path,
    install_dir: Path,
    required: Path,
    *,
    timeout: float = 600,
    announce: Callable[[str], None] | None = None,
) -> Path:
    """``install_dir`` holding ``npm ci`` of the committed project in ``project_dir`` (its
    package.json and package-lock.json); ``required`` is a file the install must have."""
    marker = project_marker(project_dir)

    def fill(work: Path) -> Path:
        built = work / "project"
        built.mkdir()
        for name in _PROJECT_FILES:
            shutil.copyfile(project_dir / name, built / name)
        # --ignore-scripts: no package gets to run code at install time; none of these needs to.
        _run_npm(
            ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--silent"],
            cwd=built,
            timeout=timeout,
            what=f"the npm packages of {project_dir.name}",
        )
        return built

    return _install(
        install_dir, required, marker, fill, what=f"npm ci ({project_dir.name})", announce=announce
    )
