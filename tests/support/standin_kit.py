"""What the Python stand-ins (tests/support/*/standin.py) and their selftests share: a threaded
HTTP server with a JSON-lines request log, a handler that answers JSON, the `serve` loop that the
Rust harness (tests/support/python_standin.rs) drives — the address on the first line of standard
output, then serving until standard input closes — and the selftests' checks with the closing
`N passed, 0 failed` line the Rust tests read.

Standard library only. A stand-in imports it by putting this folder on `sys.path`.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class JsonServer(ThreadingHTTPServer):
    """Serves each request on a thread of its own; `write_log` appends one JSON line per request
    to `log_path` (when there is one), whole lines only, whatever the threads."""

    daemon_threads = True

    def __init__(self, addr, handler, log_path: str | None):
        super().__init__(addr, handler)
        self.log_path = log_path
        self.lock = threading.Lock()

    def write_log(self, record: dict):
        if self.log_path:
            with self.lock, open(self.log_path, "a") as f:
                f.write(json.dumps(record) + "\n")


class JsonHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 (kept-alive connections, as real clients use them); every method goes to
    `respond(method)`, which a stand-in writes; `answer` sends a JSON body."""

    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # the JSON request log says what came
        pass

    def respond(self, method: str):
        raise NotImplementedError

    def do_GET(self):
        self.respond("GET")

    def do_POST(self):
        self.respond("POST")

    def do_PUT(self):
        self.respond("PUT")

    def do_PATCH(self):
        self.respond("PATCH")

    def do_DELETE(self):
        self.respond("DELETE")

    def answer(self, status: int, body: dict, headers: dict, content_type: str = "application/json"):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)


def start_thread(server: ThreadingHTTPServer) -> ThreadingHTTPServer:
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def serve_until_stdin_closes(server: ThreadingHTTPServer):
    """Prints `127.0.0.1:PORT` and serves (on the server's own thread) until whoever started us
    closes our standard input — so a test that dies without stopping us stops us too."""
    print(f"127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        sys.stdin.read()
    except KeyboardInterrupt:
        pass
    server.shutdown()


def main(module, serve, add_arguments, default_page_size: int):
    """`standin.py serve ARGS… | selftest`: `serve(args)` with the options every stand-in takes
    (`--port`, `--latency-ms`, `--page-size`, `--flaky-every`, `--log`) and its own
    (`add_arguments(parser)`); `selftest` runs the `selftest` module beside the stand-in, in the
    vendor client's virtualenv, with the stand-in `module` to start."""
    parser = argparse.ArgumentParser(description=module.__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve")
    add_arguments(s)
    s.add_argument("--port", type=int, default=0)
    s.add_argument("--latency-ms", type=float, default=0, help="added to every answer")
    s.add_argument("--page-size", type=int, default=default_page_size)
    s.add_argument("--flaky-every", type=int, default=0, help="answer every Nth request 503, once")
    s.add_argument("--log", help="append one JSON line per request to this file")
    sub.add_parser("selftest")
    args = parser.parse_args()
    if args.command == "serve":
        serve(args)
    else:
        import selftest

        sys.exit(selftest.run(module))


class Checks:
    """A selftest's checks: one line each, the first failure ends the run (exit status 1)."""

    def __init__(self):
        self.passed: list[str] = []

    def __len__(self) -> int:
        return len(self.passed)

    def check(self, name: str, ok: bool, detail="") -> None:
        if not ok:
            print(f"FAIL {name}: {detail}", flush=True)
            raise SystemExit(1)
        self.passed.append(name)
        print(f"ok   {name}", flush=True)

    def summary(self) -> str:
        return f"{len(self.passed)} passed, 0 failed"
