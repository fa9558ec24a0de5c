"""A pinned npm package unpacked under .local/ (``npm pack``, no node_modules, nothing in git): how the
project gets AWS DynamoDB Local and axe-core. Concurrent callers wait on a lock; a marker file says
which version a folder holds, so a new pin replaces it."""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["NpmPackageError", "ensure_npm_package", "npm_package_installed"]

_MARKER = ".installed-from"


class NpmPackageError(RuntimeError):
    """The package could not be fetched or does not hold the expected file."""


def npm_package_installed(spec: str, install_dir: Path, required: Path) -> bool:
    marker = install_dir / _MARKER
    return (
        (install_dir / required).is_file()
        and marker.is_file()
        and marker.read_text(encoding="utf-8").strip() == spec
    )


def ensure_npm_package(
    spec: str,
    install_dir: Path,
    required: Path,
    *,
    timeout: float = 600,
    announce: Callable[[str], None] | None = None,
) -> Path:
    """``install_dir`` holding ``spec`` unpacked (``required`` is a file the package must have)."""
    if npm_package_installed(spec, install_dir, required):
        return install_dir / required
    install_dir.parent.mkdir(parents=True, exist_ok=True)
    with (install_dir.parent / f".{install_dir.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if npm_package_installed(spec, install_dir, required):  # another process did it meanwhile
            return install_dir / required
        npm = shutil.which("npm")
        if npm is None:
            raise NpmPackageError(f"npm is needed to fetch {spec} and is missing")
        if announce:
            announce(f"npm pack {spec}")
        with tempfile.TemporaryDirectory(dir=install_dir.parent, prefix=f".{install_dir.name}-") as tmp:
            work = Path(tmp)
            packed = subprocess.run(
                [npm, "pack", spec, "--silent"],
                cwd=work,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
            tarballs = sorted(work.glob("*.tgz"))
            if packed.returncode != 0 or not tarballs:
                raise NpmPackageError(
                    f"npm pack {spec} failed ({packed.returncode}):\n{packed.stderr.strip()}"
                )
            unpacked = work / "unpacked"
            with tarfile.open(tarballs[0]) as archive:
                archive.extractall(unpacked, filter="data")
            if not (unpacked / required).is_file():
                raise NpmPackageError(f"{spec} has no {required}: its layout changed")
            (unpacked / _MARKER).write_text(spec + "\n", encoding="utf-8")
            if install_dir.exists():
                shutil.rmtree(install_dir)
            unpacked.rename(install_dir)
    return install_dir / required
