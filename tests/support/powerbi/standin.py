#!/usr/bin/env python3
"""A stand-in for Microsoft Entra ID's token endpoint (client credentials) and the Power BI REST
API (v1.0: the admin scanner API and the per-workspace "groups" API), over a catalog the test writes.

    standin.py serve --catalog SPEC.json [--token-ttl 3600] [--expires-in N] [--scan-polls 2]
                     [--rate-limit N] [--tls-cert PEM --tls-key PEM] [--port 0] [--latency-ms N]
                     [--page-size 5000] [--flaky-every N] [--log FILE]
    standin.py selftest      # msal + requests (scripts/powerbi-standin.sh runs it in its venv)

`serve` prints `127.0.0.1:PORT` on its first line (the authority is then
`http://127.0.0.1:PORT/`, the API `http://127.0.0.1:PORT`; with `--tls-cert` both are https) and
answers until its standard input closes.

Where each shape comes from (the REST reference on learn.microsoft.com, found through the docs
corpus): "Admin - Groups GetGroupsAsAdmin" (`$top` required, 1–5000; `$skip`, `$filter`;
`{"@odata.context", "@odata.count", "value": [Group]}`), "Groups - Get Groups", "Admin -
WorkspaceInfo PostWorkspaceInfo" (`POST admin/workspaces/getInfo?lineage&datasourceDetails&
datasetSchema&datasetExpressions&getArtifactUsers`, body `{"workspaces": [1 to 100 ids]}`, 202
`ScanRequest {id, createdDateTime, status}`), "Admin - WorkspaceInfo GetScanStatus" (`NotStarted`,
`Running`, `Succeeded`), "Admin - WorkspaceInfo GetScanResult" (`{"workspaces": [{id, name, type,
state, reports, dashboards{tiles}, datasets{tables{columns, measures, source}, expressions, users},
dataflows{objectId}}], "datasourceInstances"}`), "Dashboards - Get Dashboards In Group", "Dashboards
- Get Tiles In Group", "Reports - Get Reports In Group", "Reports - Get Pages In Group", "Datasets -
Get Datasets In Group", "Push Datasets - Datasets GetTables In Group", "Admin - Dataflows Export
Dataflow As Admin"; errors `{"error": {"code", "message"}}` (PowerBIApiErrorResponseDetail).
Microsoft Entra ID: the v2.0 client-credentials flow (`POST /{tenant}/oauth2/v2.0/token`, form
`grant_type=client_credentials&client_id&client_secret&scope`, answered `{"token_type": "Bearer",
"expires_in", "ext_expires_in", "access_token"}`), its error shape `{"error", "error_description":
"AADSTSnnn: …", "error_codes", "timestamp", "trace_id", "correlation_id", "error_uri"}` with the
codes of "Microsoft Entra authentication and authorization error codes" (AADSTS7000215 invalid
client secret, AADSTS700016 unknown application, AADSTS90002 unknown tenant, AADSTS70011 invalid
scope), and the tenant's OpenID configuration (`/{tenant}/v2.0/.well-known/openid-configuration`)
that msal reads first.

- Tokens are signed (HMAC with the client secret) and carry their expiry, so two stand-ins on one
  catalog (one over TLS as the authority, one plain as the API) take each other's tokens. They
  live `--token-ttl` seconds and say `--expires-in` (default: the same).
- Every `/v1.0/` call needs `Authorization: Bearer <token>`: none, a foreign one or an expired one
  → 401 `{"error": {"code": "PowerBINotAuthorizedException" | "TokenExpired"}}` with
  `WWW-Authenticate: Bearer …`.
- `--rate-limit N`: at most N API calls per second (all clients together), the rest 429
  `TooManyRequests` with `Retry-After: 1`. `--flaky-every N`: every Nth API call 503, once.
- A scan succeeds at its `--scan-polls`th status call (`NotStarted`, then `Running`); its result
  before that → 400 `ScanNotCompleted`; an unknown scan → 404 `EntityNotFound`. getInfo with no or
  more than 100 workspaces → 400 `InvalidRequest`. The scan answers only what its flags ask for:
  users with `getArtifactUsers`, tables/columns/measures with `datasetSchema`, table sources and
  dataset expressions with `datasetExpressions`. Workspaces the catalog marks `Deleted` are
  listed and scanned with that state.
- `$filter` of the groups APIs: the OData subset OpenMetadata's connector writes (`contains`,
  `startswith`, `endswith`, `trim(name) eq`, joined by `or`, `and`, `not(…)`).

The request log (`--log`): one JSON object per request, `{"api": "token"|"openid"|"powerbi",
"method", "path", "query", "status", "code"?, "bearer": bool}`, getInfo's `"workspaces"`; never a
secret or a token.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import re
import ssl
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import standin_kit  # noqa: E402
from standin_kit import JsonHandler, JsonServer, serve_until_stdin_closes, start_thread  # noqa: E402

SCOPE = "https://analysis.windows.net/powerbi/api/.default"
MAX_SCAN_WORKSPACES = 100
MAX_TOP = 5000
DEFAULT_PAGE_SIZE = MAX_TOP


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message}}


class AadError(Exception):
    def __init__(self, status: int, error: str, code: int, description: str):
        super().__init__(description)
        self.status, self.error, self.code, self.description = status, error, code, description

    def body(self) -> dict:
        trace, corr = str(uuid.uuid4()), str(uuid.uuid4())
        stamp = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())
        return {"error": self.error,
                "error_description": f"AADSTS{self.code}: {self.description}\r\nTrace ID: {trace}\r\n"
                                     f"Correlation ID: {corr}\r\nTimestamp: {stamp}",
                "error_codes": [self.code], "timestamp": stamp, "trace_id": trace, "correlation_id": corr,
                "error_uri": f"https://login.microsoftonline.com/error?code={self.code}"}


# ---- tokens ---------------------------------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def issue(catalog: dict, ttl: float) -> str:
    claims = b64(json.dumps({"tid": catalog["tenant"], "appid": catalog["client_id"],
                             "exp": time.time() + ttl, "n": uuid.uuid4().hex[:8]}).encode())
    mac = hmac.new(catalog["client_secret"].encode(), claims.encode(), hashlib.sha256).digest()
    return f"pbi.{claims}.{b64(mac)}"


def check_token(catalog: dict, token: str) -> str | None:
    """None for a valid token, else the error code Power BI answers."""
    try:
        prefix, claims, mac = token.split(".")
        want = b64(hmac.new(catalog["client_secret"].encode(), claims.encode(), hashlib.sha256).digest())
        if prefix != "pbi" or not hmac.compare_digest(want, mac):
            return "PowerBINotAuthorizedException"
        decoded = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    except (ValueError, json.JSONDecodeError):
        return "PowerBINotAuthorizedException"
    return "TokenExpired" if decoded["exp"] < time.time() else None


# ---- OData $filter (the subset OpenMetadata writes) ---------------------------------------------


def odata_keeps(expression: str | None, name: str) -> bool:
    if not expression:
        return True

    def atom(a: str) -> bool:
        a = a.strip()
        if a.startswith("not(") and a.endswith(")"):
            return not atom(a[4:-1])
        m = re.fullmatch(r"(contains|startswith|endswith)\(name,\s*'((?:[^']|'')*)'\)", a)
        if m:
            lit = m.group(2).replace("''", "'")
            return {"contains": lit in name, "startswith": name.startswith(lit),
                    "endswith": name.endswith(lit)}[m.group(1)]
        m = re.fullmatch(r"trim\(name\)\s+eq\s+'((?:[^']|'')*)'", a)
        if m:
            return name.strip() == m.group(1).replace("''", "'")
        raise ApiError(400, "InvalidRequest", f"Invalid OData $filter: {a}")

    return all(any(atom(o) for o in part.split(" or ")) for part in expression.split(" and "))


# ---- the catalog's answers --------------------------------------------------------------------------

ITEM_KEYS = ("reports", "dashboards", "datasets", "dataflows", "datamarts")


def group_entry(ws: dict) -> dict:
    return {k: ws[k] for k in ("id", "name", "type", "state", "isReadOnly", "isOnDedicatedCapacity")
            if k in ws} | {"type": ws.get("type", "Workspace"), "state": ws.get("state", "Active")}


def scanned(ws: dict, flags: dict) -> dict:
    """A workspace as the scan result holds it, with what `flags` ask for."""
    users, schema, expressions = (flags.get(k, "").lower() == "true"
                                  for k in ("getartifactusers", "datasetschema", "datasetexpressions"))
    out = group_entry(ws)
    for key in ITEM_KEYS:
        items = []
        for item in ws.get(key, []):
            item = {k: v for k, v in item.items() if k not in ("pages", "export")}
            if not users:
                item.pop("users", None)
            if key == "datasets":
                if not expressions:
                    item.pop("expressions", None)
                if not schema:
                    item.pop("tables", None)
                else:
                    item["tables"] = [{k: v for k, v in t.items() if expressions or k != "source"}
                                      for t in item.get("tables", [])]
            items.append(item)
        out[key] = items
    return out


def listing(items: list, context: str, strip=()) -> dict:
    return {"@odata.context": context, "value": [{k: v for k, v in i.items() if k not in strip} for i in items]}


# ---- the server -------------------------------------------------------------------------------------


class Server(JsonServer):
    def __init__(self, addr, catalog: dict, args):
        super().__init__(addr, Handler, args.log)
        self.catalog = catalog
        self.token_ttl = args.token_ttl
        self.expires_in = args.expires_in if args.expires_in is not None else int(args.token_ttl)
        self.scan_polls = args.scan_polls
        self.rate_limit = args.rate_limit
        self.latency = args.latency_ms / 1000
        self.page_size = args.page_size
        self.flaky_every = args.flaky_every
        self.scans: dict[str, dict] = {}
        self.calls = 0
        self.window: list[float] = []
        self.scheme = "https" if args.tls_cert else "http"

    @property
    def base(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server_address[1]}"

    def workspace(self, wid: str) -> dict:
        for ws in self.catalog["workspaces"]:
            if ws["id"] == wid:
                return ws
        raise ApiError(404, "ItemNotFound", f"Couldn't find workspace {wid}")

    def admit(self) -> None:
        """Counts an API call: 503 every `flaky_every`th, 429 over the rate limit."""
        with self.lock:
            self.calls += 1
            if self.flaky_every and self.calls % self.flaky_every == 0:
                raise ApiError(503, "ServiceUnavailable", "The service is temporarily unavailable")
            if self.rate_limit:
                now = time.monotonic()
                self.window = [t for t in self.window if now - t < 1.0]
                if len(self.window) >= self.rate_limit:
                    raise ApiError(429, "TooManyRequests", "You have exceeded the amount of requests allowed "
                                   "in the current time frame and further requests will fail. Retry in 1 seconds.",
                                   {"Retry-After": "1"})
                self.window.append(now)


class Handler(JsonHandler):
    server: Server

    def respond(self, method: str):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        url = urlsplit(self.path)
        path = unquote(url.path)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        scheme, _, credential = (self.headers.get("Authorization") or "").partition(" ")
        bearer = scheme.lower() == "bearer" and bool(credential.strip())
        record = {"method": method, "path": path, "query": query, "bearer": bearer}
        if self.server.latency:
            time.sleep(self.server.latency)
        tenant = self.server.catalog["tenant"]
        if re.fullmatch(r"/[^/]+/oauth2/v2\.0/token", path):
            record["api"] = "token"
            return self.token(method, path.split("/")[1], body, record)
        if re.fullmatch(r"/[^/]+/v2\.0/\.well-known/openid-configuration", path):
            record["api"] = "openid"
            t = path.split("/")[1]
            if t != tenant:
                return self.reply(record, 400, AadError(400, "invalid_tenant", 90002,
                                                         f"Tenant '{t}' not found.").body())
            b = f"{self.server.base}/{tenant}"
            return self.reply(record, 200, {
                "token_endpoint": f"{b}/oauth2/v2.0/token", "authorization_endpoint": f"{b}/oauth2/v2.0/authorize",
                "issuer": f"{b}/v2.0", "jwks_uri": f"{b}/discovery/v2.0/keys",
                "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt",
                                                          "client_secret_basic"],
                "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                "tenant_region_scope": "EU"})
        record["api"] = "powerbi"
        status, headers = 200, {}
        try:
            if not path.startswith("/v1.0/myorg/"):
                raise ApiError(404, "NotFound", f"No HTTP resource was found that matches {path}")
            self.server.admit()
            if not bearer:
                raise ApiError(401, "PowerBINotAuthorizedException", "Authorization header is missing",
                               {"WWW-Authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/'
                                                    f'{tenant}/oauth2/authorize"'})
            problem = check_token(self.server.catalog, credential.strip())
            if problem:
                raise ApiError(401, problem, "Access token has expired, resubmit with a new access token"
                               if problem == "TokenExpired" else "The access token is not valid",
                               {"WWW-Authenticate": 'Bearer error="invalid_token"'})
            status, answer = self.api(method, path[len("/v1.0/myorg/"):].split("/"), query, body, record)
        except ApiError as e:
            status, headers, answer = e.status, e.headers, e.body()
            record["code"] = e.code
        self.reply(record, status, answer, headers)

    def reply(self, record: dict, status: int, answer: dict, headers: dict | None = None):
        record["status"] = status
        self.server.write_log(record)
        self.answer(status, answer, headers or {}, "application/json; charset=utf-8")

    # -- Entra ID --

    def token(self, method: str, tenant: str, body: bytes, record: dict):
        c = self.server.catalog
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        try:
            if method != "POST":
                raise AadError(405, "invalid_request", 900561, "The endpoint only accepts POST requests.")
            if tenant != c["tenant"]:
                raise AadError(400, "invalid_request", 90002, f"Tenant '{tenant}' not found. Check to make sure "
                               "you have the correct tenant ID and are signing into the correct cloud.")
            if form.get("grant_type") != "client_credentials":
                raise AadError(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.")
            if form.get("client_id") != c["client_id"]:
                raise AadError(400, "unauthorized_client", 700016, f"Application with identifier "
                               f"'{form.get('client_id')}' was not found in the directory '{tenant}'.")
            if not hmac.compare_digest(form.get("client_secret", "").encode(), c["client_secret"].encode()):
                raise AadError(401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret "
                               "being sent in the request is the client secret value, not the client secret ID, "
                               f"for a secret added to app '{c['client_id']}'.")
            if form.get("scope") != SCOPE:
                raise AadError(400, "invalid_scope", 70011, f"The provided request must include a 'scope' input "
                               f"parameter. The provided value for the input parameter 'scope' is not valid.")
        except AadError as e:
            record.update(error=e.error, code=f"AADSTS{e.code}")
            return self.reply(record, e.status, e.body())
        ttl = self.server.expires_in
        self.reply(record, 200, {"token_type": "Bearer", "expires_in": ttl, "ext_expires_in": ttl,
                                  "access_token": issue(c, self.server.token_ttl)})

    # -- Power BI --

    def api(self, method: str, parts: list[str], query: dict, body: bytes, record: dict):
        s = self.server
        odata = f"{s.base}/v1.0/myorg/$metadata"
        if method == "GET" and parts in (["admin", "groups"], ["groups"]):
            admin = parts[0] == "admin"
            if admin and "$top" not in query:
                raise ApiError(400, "InvalidRequest", "The $top query parameter is required")
            try:
                top = int(query.get("$top", MAX_TOP))
                skip = int(query.get("$skip", 0))
            except ValueError:
                raise ApiError(400, "InvalidRequest", "$top and $skip must be integers") from None
            if not 1 <= top <= MAX_TOP or skip < 0:
                raise ApiError(400, "InvalidRequest", f"$top must be between 1 and {MAX_TOP}")
            kept = [group_entry(w) for w in s.catalog["workspaces"]
                    if (admin or w.get("state", "Active") == "Active")
                    and odata_keeps(query.get("$filter"), w["name"])]
            page = kept[skip:skip + min(top, s.page_size)]
            return 200, {"@odata.context": f"{odata}#groups", "@odata.count": len(kept), "value": page}
        if parts[:2] == ["admin", "workspaces"]:
            return self.scanner(method, parts[2:], query, body, record)
        if method == "GET" and parts[:2] == ["admin", "dataflows"] and len(parts) == 4 and parts[3] == "export":
            for ws in s.catalog["workspaces"]:
                for flow in ws.get("dataflows", []):
                    if flow["objectId"] == parts[2]:
                        return 200, flow.get("export", {"name": flow["name"], "entities": []})
            raise ApiError(404, "ItemNotFound", f"Dataflow {parts[2]} not found")
        if method == "GET" and parts[0] == "groups" and len(parts) >= 3:
            ws = s.workspace(parts[1])
            rest = parts[2:]
            if rest == ["dashboards"]:
                return 200, listing(ws.get("dashboards", []), f"{odata}#dashboards", ("tiles", "users"))
            if rest == ["reports"]:
                return 200, listing(ws.get("reports", []), f"{odata}#reports", ("pages", "users"))
            if rest == ["datasets"]:
                return 200, listing(ws.get("datasets", []), f"{odata}#datasets",
                                    ("tables", "expressions", "users"))
            item = lambda key, iid: next((i for i in ws.get(key, []) if i["id"] == iid), None)  # noqa: E731
            if len(rest) == 3 and rest[0] == "dashboards" and rest[2] == "tiles":
                d = item("dashboards", rest[1])
                if d is None:
                    raise ApiError(404, "ItemNotFound", f"Dashboard {rest[1]} not found")
                return 200, listing(d.get("tiles", []), f"{odata}#tiles")
            if len(rest) == 3 and rest[0] == "reports" and rest[2] == "pages":
                r = item("reports", rest[1])
                if r is None:
                    raise ApiError(404, "ItemNotFound", f"Report {rest[1]} not found")
                return 200, listing(r.get("pages", []), f"{odata}#pages")
            if len(rest) == 3 and rest[0] == "datasets" and rest[2] == "tables":
                d = item("datasets", rest[1])
                if d is None:
                    raise ApiError(404, "ItemNotFound", f"Dataset {rest[1]} not found")
                return 200, listing(d.get("tables", []), f"{odata}#tables", ("source",))
        raise ApiError(404, "NotFound", f"No HTTP resource was found that matches /v1.0/myorg/{'/'.join(parts)}")

    def scanner(self, method: str, parts: list[str], query: dict, body: bytes, record: dict):
        s = self.server
        flags = {k.lower(): v for k, v in query.items()}
        if method == "POST" and parts == ["getInfo"]:
            try:
                ids = json.loads(body or b"{}").get("workspaces")
            except (json.JSONDecodeError, AttributeError):
                ids = None
            record["workspaces"] = ids
            if not isinstance(ids, list) or not 1 <= len(ids) <= MAX_SCAN_WORKSPACES:
                raise ApiError(400, "InvalidRequest", "The workspaces list must hold between 1 and "
                               f"{MAX_SCAN_WORKSPACES} workspace ids")
            scan_id = str(uuid.uuid4())
            created = time.strftime("%Y-%m-%dT%H:%M:%S.0000000Z", time.gmtime())
            known = {w["id"]: w for w in s.catalog["workspaces"]}
            with s.lock:
                s.scans[scan_id] = {"created": created, "polls": 0, "flags": flags,
                                    "workspaces": [known[i] for i in ids if i in known]}
            return 202, {"id": scan_id, "createdDateTime": created, "status": "NotStarted"}
        if method == "GET" and len(parts) == 2 and parts[0] in ("scanStatus", "scanResult"):
            scan = s.scans.get(parts[1])
            if scan is None:
                raise ApiError(404, "EntityNotFound", f"Scan {parts[1]} not found")
            if parts[0] == "scanStatus":
                with s.lock:
                    scan["polls"] += 1
                    polls = scan["polls"]
                status = ("Succeeded" if polls >= s.scan_polls else "NotStarted" if polls == 1 else "Running")
                return 200, {"id": parts[1], "createdDateTime": scan["created"], "status": status}
            if scan["polls"] < s.scan_polls:
                raise ApiError(400, "ScanNotCompleted", f"Scan {parts[1]} has not completed yet")
            return 200, {"workspaces": [scanned(w, scan["flags"]) for w in scan["workspaces"]],
                         "datasourceInstances": []}
        raise ApiError(404, "NotFound", f"No HTTP resource was found that matches admin/workspaces/{'/'.join(parts)}")


def start(catalog: dict, args) -> Server:
    server = Server(("127.0.0.1", args.port), catalog, args)
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    return start_thread(server)


def serve(args):
    with open(args.catalog) as f:
        catalog = json.load(f)
    serve_until_stdin_closes(start(catalog, args))


def arguments(s: argparse.ArgumentParser):
    s.add_argument("--catalog", required=True, help="the spec file")
    s.add_argument("--token-ttl", type=float, default=3600, help="seconds an access token lives")
    s.add_argument("--expires-in", type=int, help="the lifetime the token answer says (default: the real one)")
    s.add_argument("--scan-polls", type=int, default=2, help="status calls until a scan succeeds")
    s.add_argument("--rate-limit", type=int, default=0, help="API calls a second before 429")
    s.add_argument("--tls-cert", help="serve https with this certificate (PEM)")
    s.add_argument("--tls-key", help="its private key (PEM)")


if __name__ == "__main__":
    standin_kit.main(sys.modules[__name__], serve, arguments, DEFAULT_PAGE_SIZE)
