"""The local SMS service: moto's server mode (``moto[server]``), whose SNS API the API publishes to.

The API's SNS client points at it (``SNS_ENDPOINT_URL``); nothing leaves the machine.
``sns.publish(PhoneNumber=..., Message=...)`` is kept, and what was sent is readable at
``/moto-api/data.json`` (under ``sns`` → ``SMS``: phone number, message, message id); moto's
dashboard at ``/moto-api/`` shows the same. ``POST /moto-api/reset`` forgets everything.

It is a child process of its own (``python -m moto.server``), never moto in the API's process: the
API talks to it over HTTP exactly as it would to SNS.
"""

from __future__ import annotations

import importlib.util
import sys

from scripts.lib.server_process import ServerProcess, ServerStartError

__all__ = ["SmsServer", "unavailable_reason"]


def unavailable_reason() -> str | None:
    """Why moto's server cannot run here, or None when it can."""
    # moto[server] adds flask and flask-cors to moto; without them moto.server does not import.
    missing = [name for name in ("moto", "flask", "flask_cors") if importlib.util.find_spec(name) is None]
    if missing:
        return (
            f"moto[server] is not installed ({', '.join(missing)} missing): "
            "requirements-dev.txt has it; ./scripts/test or ./scripts/serve installs it into .venv"
        )
    return None


class SmsServer(ServerProcess):
    """One moto server on ``port``, on loopback only."""

    name = "sms"
    label = "local SNS server (moto)"
    ready_path = "/moto-api/data.json"

    @property
    def data_url(self) -> str:
        """Everything moto holds, as JSON; the SMS sent are under ``sns`` → ``SMS``."""
        return f"{self.url}/moto-api/data.json"

    @property
    def dashboard_url(self) -> str:
        return f"{self.url}/moto-api/"

    def command(self) -> list[str]:
        reason = unavailable_reason()
        if reason is not None:
            raise ServerStartError(reason)
        return [sys.executable, "-m", "moto.server", "-H", self.host, "-p", str(self.port)]
