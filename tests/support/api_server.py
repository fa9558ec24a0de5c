"""The app behind a real threaded HTTP server in this process (chalice local's own server, with the
Nagle fix and API Gateway's authorizer semantics), for tests that need concurrent HTTP clients."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from tests.support.api_client import API_DIR


@contextlib.contextmanager
def serve_app(port: int, stage: str = "test") -> Iterator[str]:
    import chalice.local
    from chalice.cli.factory import CLIFactory

    from app import app
    from scripts.lib.gateway_emulation import emulate_api_gateway

    chalice.local.ChaliceRequestHandler.disable_nagle_algorithm = True
    # socketserver's listen backlog is 5: more simultaneous connections than that are reset.
    chalice.local.ThreadedHTTPServer.request_queue_size = 128
    emulate_api_gateway()
    config = CLIFactory(str(API_DIR)).create_config_obj(chalice_stage_name=stage)
    # As `chalice local` does, the first time: the app becomes a LocalChalice, whose current_request
    # is per thread. A plain Chalice app has one, which concurrent requests overwrite.
    if isinstance(app, chalice.local.LocalChalice):
        server = chalice.local.LocalDevServer(app, config, "127.0.0.1", port)
    else:
        server = chalice.local.create_local_server(app, config, "127.0.0.1", port)
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
