"""A loopback HTTP server for tests: serves given bytes, and misbehaves on request.

Use it as a context manager; it listens on 127.0.0.1 on a free port and stops by itself after
``lifetime`` seconds even if a test forgets to stop it::

    from http_server import LoopbackServer

    with LoopbackServer({"/w.bin": b"abc"}) as server:
        download(server.url + "/w.bin", dest)
        server.corrupt.add("/w.bin")      # from now on: wrong bytes of the right length
        server.truncate.add("/w.bin")     # announce the full length, send half, hang up
        server.delay = 2.0                # wait before answering
        server.no_length.add("/w.bin")    # no Content-Length: the body ends when the connection closes
        server.html.add("/w.bin")         # answer with Content-Type text/html
        server.chunk_delay = 0.1          # send the body in 4 KiB pieces, pausing between them
    assert server.requests == ["/w.bin"]

Any other path gets a 404.
"""
from __future__ import annotations

import http.server
import threading
import time
from typing import Mapping


class LoopbackServer:
    """A ``ThreadingHTTPServer`` on 127.0.0.1 in a background thread.

    Args:
        files: URL path (``"/org/repo/resolve/main/config.json"``) -> the bytes to serve.
        corrupt: paths answered with wrong bytes of the right length.
        truncate: paths whose answer sends a full Content-Length (if any), half the body, then closes.
        no_length: paths answered without a Content-Length header (the connection close ends them).
        html: paths answered with ``Content-Type: text/html``.
        delay: seconds to wait before answering each request.
        chunk_delay: seconds to pause after each 4 KiB piece of a body (a slow server).
        lifetime: seconds after which the server stops by itself.

    Attributes:
        url: the base URL, ``http://127.0.0.1:<port>`` (no trailing slash).
        requests: every path asked for, in order.
    """

    def __init__(self, files: Mapping[str, bytes], *, corrupt: set[str] | None = None,
                 truncate: set[str] | None = None, no_length: set[str] | None = None,
                 html: set[str] | None = None, delay: float = 0.0, chunk_delay: float = 0.0,
                 lifetime: float = 120.0):
        self.files = dict(files)
        self.corrupt = set(corrupt or ())
        self.truncate = set(truncate or ())
        self.no_length = set(no_length or ())
        self.html = set(html or ())
        self.delay = delay
        self.chunk_delay = chunk_delay
        self.requests: list[str] = []
        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._timer = threading.Timer(lifetime, self.stop)
        self._timer.daemon = True
        self._stopped = False
        self._lock = threading.Lock()

    def __enter__(self) -> "LoopbackServer":
        self._thread.start()
        self._timer.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop serving and free the port (idempotent); later requests are refused."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        self._timer.cancel()
        if self._thread.is_alive():
            self._httpd.shutdown()
        self._httpd.server_close()

    def _handler_class(self) -> type[http.server.BaseHTTPRequestHandler]:
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            timeout = 10  # a stuck client cannot hold a handler thread for long
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server.requests.append(self.path)
                if server.delay:
                    time.sleep(server.delay)
                body = server.files.get(self.path)
                if body is None:
                    self.send_error(404, "Not Found")
                    return
                if self.path in server.corrupt:
                    body = bytes(b ^ 0xFF for b in body)
                self.send_response(200)
                self.send_header("Content-Type", "text/html" if self.path in server.html
                                 else "application/octet-stream")
                if self.path in server.no_length:
                    self.close_connection = True
                else:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.path in server.truncate:
                    body = body[: len(body) // 2]
                    self.close_connection = True
                step = 4096 if server.chunk_delay else max(len(body), 1)
                for start in range(0, len(body), step):
                    self.wfile.write(body[start:start + step])
                    self.wfile.flush()
                    if server.chunk_delay:
                        time.sleep(server.chunk_delay)

            def log_message(self, format: str, *args) -> None:  # keep test output clean
                pass

        return Handler
