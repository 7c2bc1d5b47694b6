#!/usr/bin/env python3
"""A stand-in for Metabase's REST API (the calls a metadata connector makes), over a catalog.

    standin.py serve --catalog CATALOG.json [--port 0] [--latency-ms N] [--session-ttl-s N]
                     [--rate-limit CALLS/SECONDS] [--flaky-every N] [--log FILE]

`serve` prints `127.0.0.1:PORT` on its first line of standard output (the connector's `hostPort`
is then `http://127.0.0.1:PORT`) and answers until its standard input closes. CATALOG is what
catalog.py generates (`{"generate": SPEC}` generates it here). Standard library only.

Metabase is a Java server, on no package registry; the shapes follow Metabase's own API docs
(docs/api/*.md of github.com/metabase/metabase: session, collection, dashboard, card, database,
table, user), its source for the answers the docs leave out (`metabase.server.middleware.auth`:
a request without a valid session or API key gets 401 with the plain-text body `Unauthenticated`;
`metabase.api.session`: a wrong password is 401 `{"errors": {"password": "did not match stored
password"}}`, a blank field 400 `{"errors": {"username": "value must be a non-blank string."}}`),
and what OpenMetadata's own Metabase client reads (metadata/ingestion/source/dashboard/metabase/
{client,models}.py of openmetadata-ingestion 2.0.7.0, which the tests run against this stand-in).

- `POST /api/session` (JSON `{"username", "password"}`) → 200 `{"id": "<uuid>"}`; the id goes back
  as the `X-Metabase-Session` header. Sessions live `--session-ttl-s` (Metabase: 14 days,
  MAX_SESSION_AGE), then answer 401 like no session.
- `X-API-KEY: <key>` (Metabase 49+ API keys) instead of a session, when the catalog has `api_key`.
- `GET /api/collection` → every collection, the root one first (`{"id": "root", "name": "Our
  analytics", …}`), as Metabase lists them.
- `GET /api/collection/{id|root}/items?models=dashboard[&limit=N&offset=M]` → `{"total", "data":
  [{"id", "name", "description", "model": "dashboard", "collection_position", "entity_id",
  "last-edit-info"…}], "models", "limit", "offset"}`; `models=card` and `models=dataset` the same
  for cards and models; no `models`: everything in it. 404 `Not found.` for an unknown id.
- `GET /api/dashboard/{id}` → the dashboard with `dashcards` (each with its `card`, text cards
  with `card_id: null`), `collection_id`, `creator_id`; 404 `Not found.`.
- `GET /api/card` → every non-archived card (questions and models, `type`, `dataset_query` of
  type `query` or `native`, `table_id`, `database_id`, `display`, `result_metadata`).
- `GET /api/card/{id}`, `GET /api/database/{id}` (with `details`), `GET /api/table/{id}` (with
  its `db`, as Metabase hydrates it), `GET /api/user/{id}` (with `email`); 404 `Not found.`.
- A trailing `/` is accepted everywhere (OpenMetadata posts to `/api/session/`). Other paths →
  404 `API endpoint does not exist.`, other methods → 405.
- `--rate-limit CALLS/SECONDS`: more calls in a window → 429 with `Retry-After` (seconds), as a
  proxy in front of Metabase answers; `--flaky-every N`: every Nth call 503 once; `--latency-ms`
  before every answer (calls are served concurrently).
- `--log FILE`: one JSON line per request: `method`, `path`, `query`, `auth` (`session`, `api-key`
  or null — never the value), `session` (the serial of the session used, 1 for the first login),
  `status`; for the login also `username` (never the password) and `issued` (the serial).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
import uuid
from urllib.parse import parse_qsl, urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]

import catalog as cat  # noqa: E402
from standin_kit import JsonHandler, JsonServer, serve_until_stdin_closes, start_thread  # noqa: E402

ROOT = {"id": "root", "name": "Our analytics", "can_write": True, "effective_location": None,
        "effective_ancestors": [], "authority_level": None, "parent_id": None, "is_personal": False}


class Refusal(Exception):
    def __init__(self, status: int, body, headers: dict | None = None):
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


def not_found():
    return Refusal(404, "Not found.")


class Server(JsonServer):
    def __init__(self, addr, catalog: dict, args):
        super().__init__(addr, Handler, args.log)
        self.catalog = catalog
        self.latency = args.latency_ms / 1000
        self.session_ttl = args.session_ttl_s
        self.rate_limit = None
        if args.rate_limit:
            calls, secs = args.rate_limit.split("/")
            self.rate_limit = (int(calls), float(secs))
        self.window = (time.monotonic(), 0)
        self.flaky_every = args.flaky_every
        self.calls = 0
        self.sessions: dict[str, tuple[int, float]] = {}  # id → (serial, expires at)

    def limited(self) -> int | None:
        """Seconds to wait when this call is over the rate limit."""
        if not self.rate_limit:
            return None
        calls, window = self.rate_limit
        with self.lock:
            now = time.monotonic()
            start, count = self.window
            if now - start >= window:
                start, count = now, 0
            count += 1
            self.window = (start, count)
            if count > calls:
                return max(1, int(window - (now - start) + 0.999))
        return None

    def flaky(self) -> bool:
        with self.lock:
            self.calls += 1
            return bool(self.flaky_every) and self.calls % self.flaky_every == 0

    def login(self) -> tuple[str, int]:
        with self.lock:
            serial = len(self.sessions) + 1
            sid = str(uuid.uuid4())
            self.sessions[sid] = (serial, time.monotonic() + self.session_ttl)
            return sid, serial


class Handler(JsonHandler):
    server: Server

    def respond(self, method: str):
        url = urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        record = {"method": method, "path": url.path, "query": query, "auth": None, "session": None}
        if self.server.latency:
            time.sleep(self.server.latency)
        try:
            wait = self.server.limited()
            if wait is not None:
                raise Refusal(429, "Too Many Requests", {"Retry-After": str(wait)})
            if self.server.flaky():
                raise Refusal(503, "Service Unavailable")
            if path == "/api/session":
                if method != "POST":
                    raise Refusal(405, "Method Not Allowed")
                status, answer = self.session(body, record)
            else:
                self.authorize(record)
                if method != "GET":
                    raise Refusal(405, "Method Not Allowed")
                status, answer = 200, route(self.server.catalog, path, query)
        except Refusal as r:
            record["status"] = r.status
            self.server.write_log(record)
            if isinstance(r.body, str):
                # Metabase answers its own refusals (401, 404) as plain text.
                data = r.body.encode()
                self.send_response(r.status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                for k, v in r.headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)
            else:
                self.answer(r.status, r.body, r.headers)
            return
        record["status"] = status
        self.server.write_log(record)
        self.answer(status, answer, {})

    def session(self, body: bytes, record: dict):
        try:
            given = json.loads(body or b"{}")
        except ValueError:
            raise Refusal(400, {"message": "Malformed JSON in request body."})
        c = self.server.catalog
        record["username"] = given.get("username")
        for key in ("username", "password"):
            if not isinstance(given.get(key), str) or not given[key].strip():
                raise Refusal(400, {"errors": {key: "value must be a non-blank string."},
                                    "specific-errors": {key: ["should be a string, received: nil",
                                                              "non-blank string, received: nil"]}})
        # Metabase compares e-mails case-insensitively, passwords exactly; an unknown user gets
        # the same answer as a wrong password.
        if given["username"].lower() != c["username"].lower() or given["password"] != c["password"]:
            raise Refusal(401, {"errors": {"password": "did not match stored password"}})
        sid, serial = self.server.login()
        record["issued"] = serial
        return 200, {"id": sid}

    def authorize(self, record: dict):
        c = self.server.catalog
        key = self.headers.get("X-API-KEY")
        sid = self.headers.get("X-Metabase-Session")
        if key is not None:
            record["auth"] = "api-key"
            if c.get("api_key") and key == c["api_key"]:
                return
        elif sid is not None:
            record["auth"] = "session"
            with self.server.lock:
                known = self.server.sessions.get(sid)
            if known:
                record["session"] = known[0]
                if time.monotonic() < known[1]:
                    return
        raise Refusal(401, "Unauthenticated")


def route(c: dict, path: str, query: dict):
    parts = path.split("/")[2:]  # after /api/
    match parts:
        case ["collection"]:
            return [ROOT] + c["collections"]
        case ["collection", cid, "items"]:
            return collection_items(c, cid, query)
        case ["dashboard", did]:
            return c["dashboards"].get(did) or raise_(not_found())
        case ["card"]:
            return [card for card in c["cards"] if not card["archived"]]
        case ["card", cid]:
            return next((card for card in c["cards"] if str(card["id"]) == cid), None) or raise_(not_found())
        case ["database", did]:
            return c["databases"].get(did) or raise_(not_found())
        case ["table", tid]:
            return c["tables"].get(tid) or raise_(not_found())
        case ["user", uid]:
            return c["users"].get(uid) or raise_(not_found())
    raise Refusal(404, "API endpoint does not exist.")


def raise_(e: Exception):
    raise e


def collection_items(c: dict, cid: str, query: dict) -> dict:
    if cid == "root":
        wanted = None
    elif any(str(col["id"]) == cid for col in c["collections"]):
        wanted = int(cid)
    else:
        raise not_found()
    models = query.get("models")
    models = [models] if models else ["card", "dataset", "dashboard"]
    items = []
    if "dashboard" in models:
        for d in c["dashboards"].values():
            if d["collection_id"] == wanted and not d["archived"]:
                items.append({"id": d["id"], "name": d["name"], "description": d["description"],
                              "model": "dashboard", "collection_position": None,
                              "collection_preview": True, "entity_id": d["entity_id"],
                              "moderated_status": None, "archived": False,
                              "last-edit-info": {"id": d["creator_id"], "timestamp": d["updated_at"]}})
    for card in c["cards"]:
        kind = "dataset" if card["type"] == "model" else "card"
        if kind in models and card["collection_id"] == wanted and not card["archived"]:
            items.append({"id": card["id"], "name": card["name"], "description": card["description"],
                          "model": kind, "display": card["display"], "collection_position": None,
                          "entity_id": card["entity_id"], "archived": False})
    total = len(items)
    offset = int(query.get("offset") or 0)
    limit = query.get("limit")
    if limit is not None:
        items = items[offset:offset + int(limit)]
    return {"total": total, "data": items, "models": models,
            "limit": int(limit) if limit is not None else None,
            "offset": offset if limit is not None else None}


def load(path: str) -> dict:
    with open(path) as f:
        spec = json.load(f)
    return cat.generate(spec["generate"]) if "generate" in spec else spec


def start(catalog: dict, args) -> Server:
    return start_thread(Server(("127.0.0.1", args.port), catalog, args))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--catalog", required=True)
    s.add_argument("--port", type=int, default=0)
    s.add_argument("--latency-ms", type=float, default=0)
    s.add_argument("--session-ttl-s", type=float, default=14 * 24 * 3600)
    s.add_argument("--rate-limit", help="CALLS/SECONDS")
    s.add_argument("--flaky-every", type=int, default=0)
    s.add_argument("--log")
    args = parser.parse_args()
    serve_until_stdin_closes(start(load(args.catalog), args))


if __name__ == "__main__":
    threading.excepthook = lambda a: None
    main()
