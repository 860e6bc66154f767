"""Running a test's ``http.server`` server in the background."""

from __future__ import annotations

import threading
from socketserver import BaseServer

#: How often the server looks for ``shutdown()``: the default half second is paid by every test
#: that stops a server.
POLL_SECONDS = 0.05


def serve_in_background(server: BaseServer) -> None:
    """Serve requests in a daemon thread until ``server.shutdown()``."""
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True
    ).start()
