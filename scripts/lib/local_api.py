"""``chalice local`` for the API, with the Nagle fix.

Mirrors what ``chalice --project-dir api local --stage local --no-autoreload`` does (see
chalice/cli/__init__.py: ``cli`` and ``local``/``create_local_server``), with one change:
``ChaliceRequestHandler.disable_nagle_algorithm = True``. Without it every keep-alive response
waits ~44 ms (headers and body are written separately: Nagle + delayed ACK).

Run it as a process: ``python -m scripts.lib.local_api --port 8010`` (the environment must already
hold the settings; see ``scripts.lib.stack.api_environment``).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from pathlib import Path

from scripts.lib.paths import API_DIR, REPO_ROOT

__all__ = ["api_command", "main", "serve"]


def api_command(*, host: str, port: int, stage: str = "local", project_dir: Path = API_DIR) -> list[str]:
    """The argv that runs this launcher in a child process (its cwd must be the repository root)."""
    return [
        sys.executable,
        "-m",
        "scripts.lib.local_api",
        "--host",
        host,
        "--port",
        str(port),
        "--stage",
        stage,
        "--project-dir",
        str(project_dir),
    ]


def serve(*, project_dir: Path, host: str, port: int, stage: str) -> None:
    import chalice.local
    from chalice.cli.factory import CLIFactory
    from chalice.deploy.validate import validate_routes

    chalice.local.ChaliceRequestHandler.disable_nagle_algorithm = True
    # socketserver's listen backlog is 5: more simultaneous connections than that are reset.
    chalice.local.ThreadedHTTPServer.request_queue_size = 128

    # What `chalice` (the click group) does before any command.
    os.environ["AWS_CHALICE_CLI_MODE"] = "true"
    factory = CLIFactory(str(project_dir), debug=False, environ=os.environ)
    os.chdir(project_dir)
    # What `chalice local` does: logs to stdout as Lambda would.
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
    config = factory.create_config_obj(chalice_stage_name=stage)
    # environ=os.environ above: the stage's variables land in this process's environment.
    app_obj = factory.load_chalice_app(config.environment_variables)
    # The authorizer's 401 as API Gateway gives it (see scripts/lib/gateway_emulation.py).
    from scripts.lib.gateway_emulation import emulate_api_gateway

    emulate_api_gateway()
    validate_routes(app_obj.routes)
    server = factory.create_local_server(app_obj, config, host, port)
    server.serve_forever()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.lib.local_api", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8010)
    parser.add_argument("--stage", default="local")
    parser.add_argument("--project-dir", type=Path, default=API_DIR)
    args = parser.parse_args(argv)
    project_dir: Path = args.project_dir
    if not project_dir.is_absolute():
        project_dir = (REPO_ROOT / project_dir).resolve()
    if not (project_dir / "app.py").is_file():
        print(f"ERROR: no Chalice app at {project_dir / 'app.py'}", file=sys.stderr)
        return 2
    with contextlib.suppress(KeyboardInterrupt):
        serve(project_dir=project_dir, host=args.host, port=args.port, stage=args.stage)
    return 0


if __name__ == "__main__":
    sys.exit(main())
