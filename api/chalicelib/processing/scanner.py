"""The scan step: pluggable, ClamAV's ``clamscan`` (Debian ``clamav``) when configured.

``ATTACHMENT_SCANNER=clamav`` runs ``clamscan`` on each upload (its bytes on standard input) with
the system's signatures, or with ``CLAMSCAN_DATABASE`` (a signature file or folder: the tests make
one with the EICAR test file's signature, since signature downloads are not reachable here). Exit
status 0: clean; 1: a signature matched; anything else (no clamscan, no signatures) is a fault,
and the upload stays in quarantine for the next run rather than being let through unscanned.
"""

from __future__ import annotations

import shutil
import subprocess

from ..services.attachment_processing import ScanFailedError, ScanVerdict

__all__ = ["ClamScanner", "scanner_for"]

_TIMEOUT_SECONDS = 120


class ClamScanner:
    def __init__(self, database: str | None = None, executable: str = "clamscan") -> None:
        self._database = database
        self._executable = executable

    def is_clean(self, data: bytes) -> bool:
        program = shutil.which(self._executable)
        if program is None:
            raise ScanFailedError(f"{self._executable} is not installed (Debian: apt-get install clamav)")
        command = [program, "--no-summary", "--infected", "--stdout"]
        if self._database is not None:
            command.append(f"--database={self._database}")
        command.append("-")
        try:
            completed = subprocess.run(
                command, input=data, capture_output=True, timeout=_TIMEOUT_SECONDS, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise ScanFailedError(str(error)) from error
        if completed.returncode == 0:
            return True
        if completed.returncode == 1:
            return False
        raise ScanFailedError(completed.stderr.decode("utf-8", "replace").strip()[-500:])


def scanner_for(kind: str, database: str | None) -> ScanVerdict | None:
    """The configured scan step (``ATTACHMENT_SCANNER``), or None when there is none."""
    return ClamScanner(database).is_clean if kind == "clamav" else None
