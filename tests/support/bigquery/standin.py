#!/usr/bin/env python3
"""A stand-in for Google's OAuth 2.0 token endpoint, BigQuery's REST API v2 and Data Catalog's
policy tags (API v1), on one base URL, over a catalog the test writes.

    standin.py serve --catalog SPEC.json --client-email EMAIL --public-key PEM_FILE [--key-id ID]
                     [--port 0] [--expires-in 3599] [--latency-ms N] [--page-size 50]
                     [--flaky-every N] [--log FILE]
    standin.py selftest      # needs Google's clients (scripts/bigquery-standin.sh runs it in its venv)

`serve` prints `127.0.0.1:PORT` on its first line of standard output (the base URL, a connector's
`hostPort`, is then `http://127.0.0.1:PORT`) and answers until its standard input closes.

Where each shape comes from: Google's discovery documents `bigquery.v2.json` (revision 20261009)
and `datacatalog.v1.json` (revision 20261106), as PyPI google-api-python-client 2.202.0 ships
them (googleapiclient/discovery_cache/documents/), which `selftest` checks every answer against,
field by field; Google's OAuth 2.0 guide for service accounts
(developers.google.com/identity/protocols/oauth2/service-account) and google-auth's
google/oauth2/_client.py for the token endpoint; Google's JSON error format (cloud.google.com/apis/
design/errors, and BigQuery's `errors[]`/`reason` in cloud.google.com/bigquery/docs/error-messages).

- `POST /token` (form `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=JWT`): the
  assertion is checked as oauth.py says (RS256 against the account's public key, `kid`, `iss`,
  `aud`, `iat`/`exp`, `scope`) and answered `{"access_token": "ya29.…", "expires_in": N,
  "token_type": "Bearer"}`; refused with 400 `{"error": "invalid_grant" | "invalid_scope" |
  "unsupported_grant_type" | "invalid_request", "error_description"}`.
- Every other request needs `Authorization: Bearer <a token issued here, not expired>`: without
  one 401 reason `required` ("Login Required."), with another or an expired one 401 reason
  `authError` ("Invalid Credentials"), both `status: UNAUTHENTICATED` with `WWW-Authenticate`;
  a token whose scopes the API does not take (BigQuery: `bigquery`, `cloud-platform`,
  `cloud-platform.read-only`; Data Catalog: `cloud-platform`, each method's `scopes` in the
  discovery documents) → 403 reason `insufficientPermissions`, `PERMISSION_DENIED`.
- BigQuery, under `/bigquery/v2/` (datasets.list/get, tables.list/get):
  `GET projects/{p}/datasets` (`all` shows hidden datasets — those whose id starts with `_` —,
  `filter` by labels, `maxResults`, `pageToken`) → `DatasetList` {kind `bigquery#datasetList`,
  etag, datasets[{kind, id `p:d`, datasetReference, labels, friendlyName, location, type}],
  nextPageToken}; `GET …/datasets/{d}` → `Dataset`; `GET …/datasets/{d}/tables` (`maxResults`,
  `pageToken`) → `TableList` {kind `bigquery#tableList`, etag, tables[{kind, id `p:d.t`,
  tableReference, type, friendlyName, labels, timePartitioning, rangePartitioning, clustering,
  view{useLegacySql}, creationTime, expirationTime, requirePartitionFilter}], nextPageToken,
  totalItems}; `GET …/tables/{t}` → the whole `Table`: schema.fields (TableFieldSchema: name, type
  in legacy or standard SQL spelling, mode always written, description, fields, policyTags.names,
  maxLength/precision/scale as int64 strings, defaultValueExpression…), description, labels, type
  (TABLE, VIEW, MATERIALIZED_VIEW, EXTERNAL, SNAPSHOT), view{query, useLegacySql},
  materializedView{query, …}, timePartitioning{type, field, expirationMs}, rangePartitioning{field,
  range{start, end, interval}}, clustering.fields, tableConstraints{primaryKey.columns,
  foreignKeys[{name, referencedTable, columnReferences[{referencingColumn, referencedColumn}]}]},
  externalDataConfiguration{sourceFormat, sourceUris, hivePartitioningOptions}, snapshotDefinition,
  numRows, numBytes, numLongTermBytes, creationTime, lastModifiedTime (int64s as strings), location,
  selfLink, etag. Lists are in id order; `nextPageToken` (opaque) only while more remain; page size
  `min(maxResults, --page-size)`. `selectedFields` and `view` of tables.get are accepted and ignored
  (the whole resource comes back).
  Errors `{"error": {"code", "message", "errors": [{"message", "domain": "global", "reason"}],
  "status"}}`: an unknown project, dataset or table → 404 `notFound` ("Not found: Dataset p:d",
  "Not found: Table p:d.t"), NOT_FOUND; a dataset the spec marks `denied` → 403 `accessDenied` on
  listing its tables; a bad page token or maxResults → 400 `invalid`.
- Data Catalog, under `/v1/`: `GET projects/{p}/locations/{l}/taxonomies` and `GET
  {taxonomy}/policyTags` (`pageSize` 1–1000, 50 by default; `pageToken`) → `{"taxonomies" |
  "policyTags": […], "nextPageToken"}`; `GET {taxonomy}` → Taxonomy {name
  `projects/p/locations/l/taxonomies/ID`, displayName, description, policyTagCount,
  taxonomyTimestamps, activatedPolicyTypes}; `GET {policyTag}` → PolicyTag {name `…/policyTags/ID`,
  displayName, description, parentPolicyTag, childPolicyTags}. Errors `{"error": {"code",
  "message", "status"}}` (404 NOT_FOUND, 400 INVALID_ARGUMENT, 401, 403).
- Any other path or method → 404 (the stand-in is read-only).
- `--latency-ms N` before every answer (requests are served concurrently); `--flaky-every N`: every
  Nth API request (the token endpoint aside) is answered 503 once, reason `backendError`, status
  UNAVAILABLE (what BigQuery's client retries); `--expires-in N`: the tokens' lifetime, so a test
  can see them renewed.
- `--log FILE`: one JSON line per request: `api` (`oauth`, `bigquery`, `datacatalog` or null),
  `method`, `path`, `query` (name → value), `bearer` (whether a bearer token came — never the
  token), `token` (the serial number of the valid token used, 1 for the first one issued),
  `status`, `reason` (of an error); for `/token` also `grant_type`, `iss`, `scope`, `issued` (the
  new token's serial) or `error`.

The spec (SPEC.json; catalog.py checks it and refuses unknown keys):
  {"projects": {PROJECT: {"datasets": {DATASET: {"description"?, "friendlyName"?, "labels"?,
     "location"? ("US"), "defaultTableExpirationMs"?, "creationTime"?, "lastModifiedTime"?,
     "denied"? (listing its tables → 403), "tables": {TABLE: {<Table resource fields: "type"?
     ("TABLE"), "description", "friendlyName", "labels", "schema": {"fields": [TableFieldSchema…]},
     "view": {"query"}, "materializedView": {"query"}, "timePartitioning", "rangePartitioning",
     "clustering", "tableConstraints", "externalDataConfiguration", "snapshotDefinition",
     "numRows", "numBytes", "creationTime", "lastModifiedTime", "expirationTime"…>,
     "vanished"? (listed, but tables.get → 404, as a table dropped after the listing)}}}}}},
   "taxonomies": {"projects/P/locations/L/taxonomies/ID": {"displayName", "description"?,
     "policyTags": {"projects/P/locations/L/taxonomies/ID/policyTags/ID": {"displayName",
     "description"?, "parentPolicyTag"?}}}}}
Integers may be written as JSON numbers; they are answered as the API writes int64s, strings.

Standard library only (the `serve` side), so the tests need no virtualenv to run it.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import sys
import time
from urllib.parse import parse_qsl, unquote, urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]

import catalog as cat  # noqa: E402
import oauth  # noqa: E402
import standin_kit  # noqa: E402
from standin_kit import JsonHandler, JsonServer, serve_until_stdin_closes, start_thread  # noqa: E402

DEFAULT_PAGE_SIZE = 50
BIGQUERY = "/bigquery/v2/"
DATACATALOG = "/v1/"
SCOPE = oauth.SCOPE_PREFIX
API_SCOPES = {
    "bigquery": {SCOPE + "bigquery", SCOPE + "cloud-platform", SCOPE + "cloud-platform.read-only"},
    "datacatalog": {SCOPE + "cloud-platform"},
}
DEVCONSOLE = "See https://developers.google.com/identity/sign-in/web/devconsole-project."
JSON = "application/json; charset=UTF-8"
STATUS_NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
                404: "NOT_FOUND", 503: "UNAVAILABLE"}


class ApiError(Exception):
    """An error answer: status, BigQuery's `reason`, the message, and extra headers."""

    def __init__(self, status: int, reason: str, message: str, headers: dict | None = None,
                 detail: str | None = None):
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, message
        self.headers, self.detail = headers or {}, detail

    def body(self, api: str | None) -> dict:
        error = {"code": self.status, "message": self.message, "status": STATUS_NAMES.get(self.status, "UNKNOWN")}
        if api != "datacatalog":
            # BigQuery (an older Google API) also lists the errors, each with a `reason`.
            entry = {"message": self.detail or self.message, "domain": "global", "reason": self.reason}
            if self.status == 401:
                entry.update(location="Authorization", locationType="header")
            error = {"code": error["code"], "message": error["message"], "errors": [entry], "status": error["status"]}
        return {"error": error}


# ---- pagination ---------------------------------------------------------------------------------------


def page(items: list, size: int, token: str | None, listing: str) -> tuple[list, str | None]:
    """One page of `items` from the offset `token` names; the next page's token while more remain.
    A token is opaque and belongs to its listing: another's → 400."""
    start = 0
    if token:
        try:
            body = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            if body["l"] != hashlib.sha256(listing.encode()).hexdigest()[:12]:
                raise ValueError("another listing's token")
            start = int(body["o"])
        except Exception:
            raise ApiError(400, "invalid", f"Invalid page token: {token}")
    end = start + size
    if end >= len(items):
        return items[start:], None
    body = json.dumps({"o": end, "l": hashlib.sha256(listing.encode()).hexdigest()[:12]})
    return items[start:end], base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")


def page_size(query: dict, key: str, server_size: int, default: int | None = None) -> int:
    raw = query.get(key)
    if raw in (None, "", "0"):
        return min(default or server_size, server_size)
    try:
        n = int(raw)
    except ValueError:
        n = -1
    if n < 0:
        raise ApiError(400, "invalid", f"Invalid value for {key}: {raw}")
    return min(n, server_size)


# ---- the APIs ---------------------------------------------------------------------------------------


def not_found(what: str) -> ApiError:
    return ApiError(404, "notFound", f"Not found: {what}")


def bigquery(c: cat.Catalog, parts: list[str], query: dict, size: int, base: str) -> dict:
    """BigQuery v2: datasets.list, datasets.get, tables.list, tables.get."""
    if len(parts) < 3 or len(parts) > 6 or parts[0] != "projects" or parts[2] != "datasets":
        raise not_found(f"URL /bigquery/v2/{'/'.join(parts)}")
    project = parts[1]
    if project not in c.projects:
        raise not_found(f"Project {project}")
    if len(parts) == 3:
        hidden_too = query.get("all", "").lower() == "true"
        try:
            keep = cat.label_filter(query.get("filter"))
        except ValueError as e:
            raise ApiError(400, "invalid", str(e))
        datasets = [cat.dataset_list_entry(ds) for ds in c.datasets_of(project)
                    if (hidden_too or not ds["datasetReference"]["datasetId"].startswith("_")) and keep(ds)]
        items, token = page(datasets, page_size(query, "maxResults", size), query.get("pageToken"),
                            f"datasets/{project}/{hidden_too}/{query.get('filter')}")
        body = {"kind": "bigquery#datasetList", "etag": cat.etag({"d": items})}
        if items:
            body["datasets"] = items
        if token:
            body["nextPageToken"] = token
        return body
    dataset = parts[3]
    key = (project, dataset)
    if key not in c.datasets:
        raise not_found(f"Dataset {project}:{dataset}")
    if len(parts) == 4:
        return {**c.datasets[key], "selfLink": f"{base}/bigquery/v2/projects/{project}/datasets/{dataset}"}
    if parts[4] != "tables":
        raise not_found(f"URL /bigquery/v2/{'/'.join(parts)}")
    if len(parts) == 5:
        if key in c.denied:
            message = (f"Access Denied: Dataset {project}:{dataset}: Permission bigquery.tables.list "
                       f"denied on dataset {project}:{dataset} (or it may not exist).")
            raise ApiError(403, "accessDenied", message)
        tables = list(c.tables[key].values())
        items, token = page([cat.list_entry(t) for t in tables], page_size(query, "maxResults", size),
                            query.get("pageToken"), f"tables/{project}:{dataset}")
        body = {"kind": "bigquery#tableList", "etag": cat.etag({"t": items})}
        if items:
            body["tables"] = items
        if token:
            body["nextPageToken"] = token
        body["totalItems"] = len(tables)
        return body
    table_id = parts[5]
    table = c.tables[key].get(table_id)
    if table is None or (project, dataset, table_id) in c.vanished:
        raise not_found(f"Table {project}:{dataset}.{table_id}")
    return {**table, "selfLink": f"{base}/bigquery/v2/projects/{project}/datasets/{dataset}/tables/{table_id}"}


def datacatalog(c: cat.Catalog, parts: list[str], query: dict, size: int) -> dict:
    """Data Catalog v1: taxonomies list/get, policyTags list/get."""
    name = "/".join(parts)
    if len(parts) == 5 and parts[:1] + parts[2:3] + parts[4:] == ["projects", "locations", "taxonomies"]:
        return listing(c.taxonomies, "/".join(parts[:4]), "taxonomies", query, size)
    if len(parts) == 7 and parts[6] == "policyTags":
        taxonomy = lookup(c.taxonomies, "/".join(parts[:6]), "Taxonomy")
        return listing(c.policy_tags, taxonomy["name"], "policyTags", query, size)
    if len(parts) == 6 and cat.TAXONOMY_NAME.fullmatch(name):
        return lookup(c.taxonomies, name, "Taxonomy")
    if len(parts) == 8 and cat.POLICY_TAG_NAME.fullmatch(name):
        return lookup(c.policy_tags, name, "Policy tag")
    raise ApiError(404, "notFound", f"Not found: URL /v1/{name}")


def lookup(resources: dict, name: str, what: str) -> dict:
    if name not in resources:
        raise ApiError(404, "notFound", f"{what} {name} not found.")
    return resources[name]


def listing(resources: dict, parent: str, key: str, query: dict, size: int) -> dict:
    """The resources under `parent`, a page of `pageSize` (50 unless asked) at a time."""
    children = [r for n, r in resources.items() if n.startswith(parent + "/")]
    items, token = page(children, page_size(query, "pageSize", size, DEFAULT_PAGE_SIZE), query.get("pageToken"),
                        f"{key}/{parent}")
    return with_page({key: items} if items else {}, token)


def with_page(body: dict, token: str | None) -> dict:
    if token:
        body["nextPageToken"] = token
    return body


# ---- the server -------------------------------------------------------------------------------------


class Server(JsonServer):
    def __init__(self, addr, catalog: cat.Catalog, account: oauth.Account, expires_in: int,
                 latency: float, page_size: int, flaky_every: int, log_path: str | None):
        super().__init__(addr, Handler, log_path)
        self.catalog, self.account = catalog, account
        self.tokens = oauth.Tokens(expires_in)
        self.latency, self.page_size, self.flaky_every = latency, page_size, flaky_every
        self.api_calls = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def next_api_call(self) -> int:
        with self.lock:
            self.api_calls += 1
            return self.api_calls


class Handler(JsonHandler):
    server: Server

    def respond(self, method: str):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        scheme, _, credential = (self.headers.get("Authorization") or "").partition(" ")
        bearer = scheme.lower() == "bearer" and bool(credential.strip())
        api = ("oauth" if url.path == "/token" else "bigquery" if url.path.startswith(BIGQUERY)
               else "datacatalog" if url.path.startswith(DATACATALOG) else None)
        record = {"api": api, "method": method, "path": unquote(url.path), "query": query, "bearer": bearer}
        if self.server.latency:
            time.sleep(self.server.latency)
        if api == "oauth" and method == "POST":
            self.token_endpoint(body, record)
            return
        status, headers = 200, {}
        try:
            if api in (None, "oauth") or method != "GET":
                raise ApiError(404, "notFound", f"Not found: {method} {url.path}")
            n = self.server.next_api_call()
            if self.server.flaky_every and n % self.server.flaky_every == 0:
                raise ApiError(503, "backendError", "Error encountered during execution. Retrying may solve the problem.")
            record["token"] = self.authorize(api, credential.strip() if bearer else None)
            parts = [unquote(p) for p in url.path[len(BIGQUERY if api == "bigquery" else DATACATALOG):].split("/")]
            if api == "bigquery":
                answer = bigquery(self.server.catalog, parts, query, self.server.page_size, self.server.base)
            else:
                answer = datacatalog(self.server.catalog, parts, query, self.server.page_size)
        except ApiError as e:
            status, headers, answer = e.status, e.headers, e.body(api)
            record["reason"] = e.reason
        record["status"] = status
        self.server.write_log(record)
        self.answer(status, answer, headers, JSON)

    def authorize(self, api: str, token: str | None) -> int:
        """The serial of the request's valid token, else the 401/403 Google answers."""
        if token is None:
            raise ApiError(401, "required", f"Request is missing required authentication credential. Expected "
                           f"OAuth 2 access token, login cookie or other valid authentication credential. {DEVCONSOLE}",
                           {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'}, "Login Required.")
        found = self.server.tokens.lookup(token)
        if found is None:
            raise ApiError(401, "authError", f"Request had invalid authentication credentials. Expected OAuth 2 "
                           f"access token, login cookie or other valid authentication credential. {DEVCONSOLE}",
                           {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"'},
                           "Invalid Credentials")
        scopes, serial = found
        if not scopes & API_SCOPES[api]:
            raise ApiError(403, "insufficientPermissions", "Request had insufficient authentication scopes.",
                           {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="insufficient_scope"'},
                           "Insufficient Permission")
        return serial

    def token_endpoint(self, body: bytes, record: dict):
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        try:
            answer, note = oauth.exchange(form, self.server.account, self.server.tokens, self.server.base + "/token")
            record.update(note)
            status = 200
        except oauth.Refusal as e:
            status, answer = e.status, e.body()
            record.update(grant_type=form.get("grant_type"), error=e.error, error_description=e.description)
        record["status"] = status
        self.server.write_log(record)
        self.answer(status, answer, {"Cache-Control": "no-cache, no-store, max-age=0, must-revalidate"}, JSON)


def start(spec: dict, *, client_email: str, public_key_pem: str, key_id: str | None = None, port: int = 0,
          expires_in: int = 3599, latency_ms: float = 0, page_size: int = DEFAULT_PAGE_SIZE,
          flaky_every: int = 0, log: str | None = None) -> Server:
    """A running stand-in on its own thread (the selftest's way in; `serve` wraps it)."""
    return start_thread(Server(("127.0.0.1", port), cat.Catalog(spec),
                               oauth.Account(client_email, public_key_pem, key_id), expires_in, latency_ms / 1000,
                               page_size, flaky_every, log))


def serve(args):
    with open(args.catalog) as f:
        spec = json.load(f)
    with open(args.public_key) as f:
        pem = f.read()
    try:
        server = start(spec, client_email=args.client_email, public_key_pem=pem, key_id=args.key_id,
                       port=args.port, expires_in=args.expires_in, latency_ms=args.latency_ms,
                       page_size=args.page_size, flaky_every=args.flaky_every, log=args.log)
    except (cat.SpecError, ValueError) as e:
        print(f"bigquery stand-in: {e}", file=sys.stderr, flush=True)
        print("error", flush=True)
        sys.exit(2)
    serve_until_stdin_closes(server)


def arguments(s: argparse.ArgumentParser):
    s.add_argument("--catalog", required=True, help="the spec file")
    s.add_argument("--client-email", required=True, help="the service account's e-mail (the JWT's iss)")
    s.add_argument("--public-key", required=True, help="PEM file of the account's public key")
    s.add_argument("--key-id", help="the key's id (the JWT header's kid, when it has one)")
    s.add_argument("--expires-in", type=int, default=3599, help="seconds an access token lives")


if __name__ == "__main__":
    standin_kit.main(sys.modules[__name__], serve, arguments, DEFAULT_PAGE_SIZE)
