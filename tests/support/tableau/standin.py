#!/usr/bin/env python3
"""A stand-in for Tableau Server's REST API (XML by default, JSON when the request's `Accept` asks
for it) and its Metadata API (GraphQL), for one site, over a catalog the test writes.

    standin.py serve --catalog SPEC.json --token-name NAME --token-secret SECRET
                     [--username USER --password PASSWORD] [--api-version 3.24] [--token-ttl S]
                     [--rate-limit N] [--node-limit 20000] [--port 0] [--latency-ms N]
                     [--page-size 1000] [--flaky-every N] [--log FILE]
    standin.py selftest      # needs tableauserverclient (scripts/tableau-standin.sh runs it in its venv)

`serve` prints `127.0.0.1:PORT` on its first line of standard output (a connector's `hostPort` is
then `http://127.0.0.1:PORT`) and answers until its standard input closes. SPEC.json is a catalog
(catalog.py says its shape) or `{"generate": {"workbooks": N, "published": M}}`.

Where the shapes come from: Tableau's REST API reference (help.tableau.com/current/api/rest_api/
en-us/REST/rest_api_ref.htm: Sign In, Server Info, Query Workbooks for Site, Query Views for
Workbook, Query Projects, Query User On Site; "REST API Requests and Responses in JSON"; error
codes in "Handling Errors"), Tableau's own Python client tableauserverclient 0.40 (its XML
parsers: models/*_item.py), which `selftest` reads the stand-in with, and the Metadata API
reference (help.tableau.com/current/api/metadata_api/en-us/) for graphql.py.

- `GET /api/{v}/serverInfo` (no sign-in needed) → `serverInfo{productVersion, restApiVersion}`.
- `POST /api/{v}/auth/signin` (XML `<tsRequest><credentials …><site contentUrl/></credentials>` or
  JSON `{"credentials": {…, "site": {"contentUrl"}}}`) with a personal access token
  (`personalAccessTokenName`, `personalAccessTokenSecret`) or a user's `name` and `password`: the
  site's `contentUrl` must be the catalog's. → `credentials{token, estimatedTimeToExpiration,
  site{id, contentUrl}, user{id}}`. Wrong credentials or site → 401 code 401001 (Signin Error).
  `POST /api/{v}/auth/signout` → 204.
- Every other call needs `X-Tableau-Auth: <a token issued here, alive>`: without one, with another or
  with one past `--token-ttl` → 401 code 401002 (Unauthorized Access). A site id in the path other
  than the site's → 403 code 403 (the token is for another site).
- `GET /api/{v}/sites/{site}/workbooks`, `…/projects` (`pageSize` 1–`--page-size`, 100 by default,
  `pageNumber` from 1; out of range → 400 code 400006/400007) → `pagination{pageNumber, pageSize,
  totalAvailable}` and the page, in catalog order. `GET …/workbooks/{id}` → one workbook.
  `GET …/workbooks/{id}/views[?includeUsageStatistics=true]` → its views (`usage{totalViewCount}`
  only when asked). `GET …/users/{id}` → the user. Unknown ids → 404 code 404006/404011/404002.
- `POST /api/metadata/graphql` `{"query", "variables"?}` → graphql.py's answer (validation errors
  with HTTP 200, as Tableau answers them; `--node-limit` cuts a too large answer).
- `--rate-limit N`: at most N requests a second, the rest 429 with `Retry-After: 1` (Tableau
  Cloud's rate limits answer 429 so). `--latency-ms`, `--flaky-every` (503): see standin_kit.
- `--log FILE`: one JSON line per request: `method`, `path`, `query`, `auth` (whether an
  X-Tableau-Auth header came — never the token), `token` (serial of the live token used, or null),
  `accept` (`json` or `xml`), `status`, `code` (Tableau's error code), and for GraphQL `roots` (the
  query's root fields) and `graphql_error`; for sign-in `signin` (`pat` or `password`).
"""

from __future__ import annotations

import json
import os
import secrets as _secrets
import sys
import threading
import time
import urllib.parse
from xml.sax.saxutils import quoteattr
from xml.etree import ElementTree

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import catalog as catalog_mod  # noqa: E402
import graphql  # noqa: E402
import standin_kit  # noqa: E402

NS = "http://tableau.com/api"
PRODUCT_VERSION = ("2024.2.0", "20242.24.0711.1636")


class State:
    def __init__(self, args, catalog: dict):
        self.args = args
        self.catalog = catalog
        self.site = catalog["site"]
        self.graph = graphql.graph(catalog)
        self.projects = {p["id"]: p for p in catalog["projects"]}
        self.users = {u["id"]: u for u in catalog["users"]}
        self.workbooks = {w["id"]: w for w in catalog["workbooks"]}
        self.lock = threading.Lock()
        self.tokens: dict[str, tuple[int, float]] = {}  # token → (serial, dies at)
        self.issued = 0
        self.requests = 0
        self.window = (0, 0)  # (second, count)

    def issue(self) -> tuple[str, int]:
        with self.lock:
            self.issued += 1
            token = f"{_secrets.token_hex(16)}|{self.issued}"
            self.tokens[token] = (self.issued, time.monotonic() + self.args.token_ttl)
            return token, self.issued

    def live(self, token: str | None) -> int | None:
        with self.lock:
            found = self.tokens.get(token or "")
            if found and time.monotonic() < found[1]:
                return found[0]
            return None

    def limited(self) -> bool:
        if not self.args.rate_limit:
            return False
        with self.lock:
            now = int(time.monotonic())
            second, count = self.window
            count = count + 1 if second == now else 1
            self.window = (now, count)
            return count > self.args.rate_limit

    def flaky(self) -> bool:
        with self.lock:
            self.requests += 1
            return bool(self.args.flaky_every) and self.requests % self.args.flaky_every == 0


class Handler(standin_kit.JsonHandler):
    state: State

    def respond(self, method: str):
        s = self.state
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.json_out = "application/json" in (self.headers.get("Accept") or "")
        self.record = {"method": method, "path": url.path, "query": query,
                       "auth": self.headers.get("X-Tableau-Auth") is not None, "token": None,
                       "accept": "json" if self.json_out else "xml"}
        if s.args.latency_ms:
            time.sleep(s.args.latency_ms / 1000)
        try:
            self.route(method, url.path, query, body)
        finally:
            self.server.write_log(self.record)

    # --- answers

    def send(self, status: int, payload: bytes, content_type: str, headers: dict | None = None):
        self.record["status"] = status
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(payload)

    def ok(self, element: dict, status: int = 200):
        """`element` is {tag: value} as the JSON form has it; the XML form is derived."""
        if self.json_out:
            self.send(status, json.dumps(element).encode(), "application/json;charset=UTF-8")
        else:
            xml = f'<?xml version="1.0" encoding="UTF-8"?><tsResponse xmlns="{NS}" ' \
                  f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{to_xml(element)}</tsResponse>'
            self.send(status, xml.encode(), "application/xml;charset=UTF-8")

    def error(self, status: int, code: str, summary: str, detail: str, headers: dict | None = None):
        self.record["code"] = code
        if self.json_out:
            payload = json.dumps({"error": {"summary": summary, "detail": detail, "code": code}}).encode()
            self.send(status, payload, "application/json;charset=UTF-8", headers)
        else:
            xml = f'<?xml version="1.0" encoding="UTF-8"?><tsResponse xmlns="{NS}"><error code="{code}">' \
                  f'<summary>{esc(summary)}</summary><detail>{esc(detail)}</detail></error></tsResponse>'
            self.send(status, xml.encode(), "application/xml;charset=UTF-8", headers)

    # --- routing

    def route(self, method: str, path: str, query: dict, body: bytes):
        s = self.state
        if s.limited():
            return self.error(429, "429000", "Too Many Requests",
                              "Too many requests; try again later.", {"Retry-After": "1"})
        if s.flaky():
            return self.error(503, "503000", "Service Unavailable", "Try again.")
        if path == "/api/metadata/graphql" and method == "POST":
            return self.graphql(body)
        parts = path.strip("/").split("/")
        if len(parts) < 3 or parts[0] != "api" or not valid_version(parts[1], s.args.api_version):
            return self.error(404, "404000", "Resource Not Found", f"Unknown resource '{path}'")
        rest = parts[2:]
        if rest == ["serverInfo"] and method == "GET" and not self.json_out:
            # Text content, not attributes, in the XML form (tableauserverclient reads `.text`).
            return self.send(200, (f'<?xml version="1.0" encoding="UTF-8"?><tsResponse xmlns="{NS}">'
                                   f'<serverInfo><productVersion build="{PRODUCT_VERSION[1]}">'
                                   f'{PRODUCT_VERSION[0]}</productVersion><restApiVersion>'
                                   f'{s.args.api_version}</restApiVersion></serverInfo></tsResponse>').encode(),
                             "application/xml;charset=UTF-8")
        if rest == ["serverInfo"] and method == "GET":
            return self.ok({"serverInfo": {"productVersion": {"value": PRODUCT_VERSION[0],
                                                              "build": PRODUCT_VERSION[1]},
                                           "restApiVersion": s.args.api_version}})
        if rest == ["auth", "signin"] and method == "POST":
            return self.signin(body)
        serial = s.live(self.headers.get("X-Tableau-Auth"))
        if serial is None:
            return self.error(401, "401002", "Unauthorized Access",
                              "Invalid authentication credentials were provided.")
        self.record["token"] = serial
        if rest == ["auth", "signout"] and method == "POST":
            with s.lock:
                s.tokens.pop(self.headers.get("X-Tableau-Auth"), None)
            self.record["status"] = 204
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if len(rest) < 3 or rest[0] != "sites" or method != "GET":
            return self.error(404, "404000", "Resource Not Found", f"Unknown resource '{path}'")
        if rest[1] != s.site["id"]:
            return self.error(403, "403000", "Forbidden", "The token is not valid for that site.")
        what = rest[2:]
        if what == ["workbooks"]:
            return self.paged("workbooks", "workbook", s.catalog["workbooks"], query, self.workbook)
        if what == ["projects"]:
            return self.paged("projects", "project", s.catalog["projects"], query, project_json)
        if len(what) == 2 and what[0] == "workbooks":
            wb = s.workbooks.get(what[1])
            if wb is None:
                return self.error(404, "404006", "Resource Not Found", f"Workbook '{what[1]}' could not be found.")
            return self.ok({"workbook": self.workbook(wb)})
        if len(what) == 3 and what[0] == "workbooks" and what[2] == "views":
            wb = s.workbooks.get(what[1])
            if wb is None:
                return self.error(404, "404006", "Resource Not Found", f"Workbook '{what[1]}' could not be found.")
            usage = query.get("includeUsageStatistics") == "true"
            return self.ok({"views": {"view": [self.view(wb, v, usage) for v in wb["views"]]}})
        if len(what) == 2 and what[0] == "users":
            user = s.users.get(what[1])
            if user is None:
                return self.error(404, "404002", "Resource Not Found", f"User '{what[1]}' could not be found.")
            return self.ok({"user": user_json(user)})
        return self.error(404, "404000", "Resource Not Found", f"Unknown resource '{path}'")

    def signin(self, body: bytes):
        s, a = self.state, self.state.args
        creds = parse_signin(body)
        if creds is None:
            return self.error(400, "400000", "Bad Request", "The sign-in request could not be parsed.")
        site = creds.get("site", "")
        if "personalAccessTokenName" in creds:
            self.record["signin"] = "pat"
            good = creds.get("personalAccessTokenName") == a.token_name and \
                creds.get("personalAccessTokenSecret") == a.token_secret
        else:
            self.record["signin"] = "password"
            good = bool(a.username) and creds.get("name") == a.username and creds.get("password") == a.password
        if not good or site != s.site["contentUrl"]:
            return self.error(401, "401001", "Signin Error",
                              "Error signing in to Tableau Server (invalid credentials or site)")
        token, serial = s.issue()
        self.record["token"] = serial
        ttl = int(a.token_ttl)
        return self.ok({"credentials": {
            "site": {"id": s.site["id"], "contentUrl": s.site["contentUrl"]},
            "user": {"id": s.catalog["users"][0]["id"] if s.catalog["users"] else "admin"},
            "token": token,
            "estimatedTimeToExpiration": f"{ttl // 3600}:{ttl % 3600 // 60:02d}:{ttl % 60:02d}"}})

    def paged(self, plural: str, singular: str, items: list, query: dict, render):
        limit = self.state.args.page_size
        try:
            size = int(query.get("pageSize", "100"))
            number = int(query.get("pageNumber", "1"))
        except ValueError:
            return self.error(400, "400006", "Bad Request", "The page size or page number is not an integer.")
        if not 1 <= size <= limit:
            return self.error(400, "400006", "Bad Request",
                              f"The page size '{size}' is not valid: it must be between 1 and {limit}.")
        if number < 1 or (number - 1) * size >= max(len(items), 1):
            return self.error(400, "400007", "Bad Request",
                              f"The page number '{number}' is not valid: there are {len(items)} items.")
        page = items[(number - 1) * size: number * size]
        return self.ok({"pagination": {"pageNumber": str(number), "pageSize": str(size),
                                       "totalAvailable": str(len(items))},
                        plural: {singular: [render(i) for i in page]}})

    def workbook(self, wb: dict) -> dict:
        project = self.state.projects.get(wb["projectId"], {})
        out = {"project": {"id": wb["projectId"], "name": project.get("name", "")},
               "location": {"id": wb["projectId"], "type": "Project", "name": project.get("name", "")},
               "owner": {"id": wb["ownerId"]},
               "tags": {"tag": [{"label": t} for t in wb["tags"]]},
               "dataAccelerationConfig": {"accelerationEnabled": "false"},
               "id": wb["id"], "name": wb["name"], "contentUrl": wb["contentUrl"],
               "webpageUrl": wb["webpageUrl"], "showTabs": "true", "size": "1",
               "createdAt": wb["createdAt"], "updatedAt": wb["updatedAt"], "encryptExtracts": "false",
               "defaultViewId": wb["views"][0]["id"] if wb["views"] else ""}
        if wb.get("description"):
            out["description"] = wb["description"]
        return out

    def view(self, wb: dict, v: dict, usage: bool) -> dict:
        out = {"workbook": {"id": wb["id"]}, "owner": {"id": v["ownerId"]},
               "project": {"id": wb["projectId"]}, "tags": {"tag": [{"label": t} for t in v["tags"]]},
               "id": v["id"], "name": v["name"], "contentUrl": v["contentUrl"],
               "createdAt": wb["createdAt"], "updatedAt": wb["updatedAt"],
               "viewUrlName": v["viewUrlName"], "sheetType": v["sheetType"]}
        if usage:
            out["usage"] = {"totalViewCount": str(v["totalViewCount"])}
        return out

    def graphql(self, body: bytes):
        s = self.state
        serial = s.live(self.headers.get("X-Tableau-Auth"))
        if serial is None:
            return self.error(401, "401002", "Unauthorized Access",
                              "Invalid authentication credentials were provided.")
        self.record["token"] = serial
        try:
            request = json.loads(body or b"{}")
            text = request["query"]
        except (ValueError, KeyError, TypeError):
            self.record["status"] = 400
            return self.send(400, b'{"errors":[{"message":"Invalid request body"}]}', "application/json")
        if request.get("variables"):
            answer = {"errors": [{"message": "variables are not supported by the stand-in"}]}
        else:
            answer = graphql.execute(text, s.graph, s.args.node_limit)
        self.record["roots"] = sorted((answer.get("data") or {}).keys())
        if answer.get("errors"):
            self.record["graphql_error"] = answer["errors"][0].get("extensions", {}).get("code") or \
                answer["errors"][0]["message"][:80]
        self.send(200, json.dumps(answer).encode(), "application/json;charset=UTF-8")


def valid_version(v: str, server: str) -> bool:
    try:
        major, minor = (int(x) for x in v.split("."))
        smajor, sminor = (int(x) for x in server.split("."))
    except ValueError:
        return False
    return (2, 4) <= (major, minor) <= (smajor, sminor)


def parse_signin(body: bytes) -> dict | None:
    text = body.decode("utf-8", "replace").strip()
    try:
        if text.startswith("{"):
            c = json.loads(text)["credentials"]
            out = {k: v for k, v in c.items() if isinstance(v, str)}
            out["site"] = (c.get("site") or {}).get("contentUrl", "")
            return out
        root = ElementTree.fromstring(text)
        c = root.find("credentials")
        out = dict(c.attrib)
        site = c.find("site")
        out["site"] = site.get("contentUrl", "") if site is not None else ""
        return out
    except (ValueError, KeyError, TypeError, AttributeError, ElementTree.ParseError):
        return None


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_xml(element: dict) -> str:
    """{tag: value} → XML as Tableau writes it: strings are attributes, objects child elements,
    lists repeated elements of the enclosing tag's singular (`{"tags": {"tag": [...]}}`)."""
    out = []
    for tag, value in element.items():
        if isinstance(value, list):
            out.extend(to_xml({tag: v}) for v in value)
            continue
        attrs = "".join(f" {k}={quoteattr(str(v))}" for k, v in value.items()
                        if not isinstance(v, (dict, list)))
        children = "".join(to_xml({k: v}) for k, v in value.items() if isinstance(v, (dict, list)))
        out.append(f"<{tag}{attrs}>{children}</{tag}>" if children else f"<{tag}{attrs}/>")
    return "".join(out)


def project_json(p: dict) -> dict:
    out = {"owner": {"id": ""}, "id": p["id"], "name": p["name"], "description": p.get("description", ""),
           "contentPermissions": "ManagedByOwner", "createdAt": "2026-01-01T00:00:00Z",
           "updatedAt": "2026-01-01T00:00:00Z"}
    if p.get("parentProjectId"):
        out["parentProjectId"] = p["parentProjectId"]
    return out


def user_json(u: dict) -> dict:
    out = {"domain": {"name": "local"}, "externalAuthUserId": "", "id": u["id"], "name": u["name"],
           "siteRole": u["siteRole"], "fullName": u["fullName"], "authSetting": "ServerDefault",
           "lastLogin": "2026-11-30T12:00:00Z", "locale": "en_US", "language": "en"}
    if u.get("email"):
        out["email"] = u["email"]
    return out


def load_catalog(path: str) -> dict:
    with open(path) as f:
        spec = json.load(f)
    if "generate" in spec:
        g = spec["generate"]
        spec = catalog_mod.generate(g["workbooks"], g.get("published", 3), g.get("users", 3))
    return catalog_mod.check(spec)


def add_arguments(p):
    p.add_argument("--catalog", required=True)
    p.add_argument("--token-name", required=True)
    p.add_argument("--token-secret", required=True)
    p.add_argument("--username")
    p.add_argument("--password")
    p.add_argument("--api-version", default="3.24")
    p.add_argument("--token-ttl", type=float, default=240 * 60, help="seconds a token lives")
    p.add_argument("--rate-limit", type=int, default=0, help="requests a second, the rest 429")
    p.add_argument("--node-limit", type=int, default=20000)


def make_server(args, catalog: dict):
    state = State(args, catalog)
    handler = type("BoundHandler", (Handler,), {"state": state})
    return standin_kit.JsonServer(("127.0.0.1", args.port), handler, args.log)


def serve(args):
    server = make_server(args, load_catalog(args.catalog))
    standin_kit.start_thread(server)
    standin_kit.serve_until_stdin_closes(server)


if __name__ == "__main__":
    standin_kit.main(sys.modules[__name__], serve, add_arguments, default_page_size=1000)
