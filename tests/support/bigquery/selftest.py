"""The stand-in read by Google's own Python clients: if they exchange the service account's key
for a token against it, accept every answer, parse every field into their own types, follow every
page and raise their own error classes, and every answer fits Google's discovery documents field
by field, the stand-in answers as Google's token endpoint, BigQuery's REST API v2 and Data
Catalog's API v1 do.

The clients (pinned in scripts/bigquery-standin.sh): google-auth's service account credentials
(the real JWT-bearer exchange, `token_uri` pointed at the stand-in), google-cloud-bigquery's
`Client`, google-api-python-client's discovery client for Data Catalog (google-cloud-datacatalog
has only a gRPC transport), google-cloud-datacatalog's message types to parse Data Catalog's
answers strictly, and the discovery documents google-api-python-client ships.

Run by `standin.py selftest` in the virtualenv of scripts/bigquery-standin.sh. Nothing may leave
the machine: host names other than the loopback's are refused before any lookup (google-auth
looks up a "regional access boundary" at iamcredentials.googleapis.com after each token; that
lookup fails here, as it may, and the clients go on). Prints one line per check and
`N passed, 0 failed` at the end; exits non-zero at the first failed check.
"""

from __future__ import annotations

import datetime
import json
import os
import socket
import subprocess
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

_real_getaddrinfo = socket.getaddrinfo
REFUSED_HOSTS: list[str] = []


def _loopback_only(host, *args, **kwargs):
    if host not in ("127.0.0.1", "localhost", "::1"):
        REFUSED_HOSTS.append(host)
        raise socket.gaierror(f"the selftest reaches the stand-in only, not {host}")
    return _real_getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _loopback_only

import google.auth.exceptions  # noqa: E402
from google.api_core import exceptions as api_exceptions  # noqa: E402
from google.auth import crypt, jwt  # noqa: E402
from google.auth.transport.requests import Request  # noqa: E402
from google.cloud import bigquery, datacatalog_v1  # noqa: E402
from google.cloud.bigquery.retry import DEFAULT_RETRY  # noqa: E402
from google.cloud.bigquery.standard_sql import StandardSqlTypeNames  # noqa: E402
from google.oauth2 import _client as oauth_client  # noqa: E402
from google.oauth2 import service_account  # noqa: E402
from googleapiclient.discovery import build  # noqa: E402
from googleapiclient.errors import HttpError  # noqa: E402

import conformance  # noqa: E402
from standin_kit import Checks  # noqa: E402

PROJECT = "omrun-proj"
EMAIL = f"omrun-reader@{PROJECT}.iam.gserviceaccount.com"
KEY_ID = "3f1c9a7e5b2d4c6e8f0a1b2c3d4e5f6a7b8c9d0e"
SCOPE = "https://www.googleapis.com/auth/"
TAXONOMY = f"projects/{PROJECT}/locations/us/taxonomies/8412"
PII, EMAIL_TAG, PHONE_TAG = (f"{TAXONOMY}/policyTags/{n}" for n in (100, 101, 102))
CHECKS = Checks()
check = CHECKS.check


# ---- the catalog ------------------------------------------------------------------------------------


def field(name, ftype, mode=None, **more):
    return {"name": name, "type": ftype, **({"mode": mode} if mode else {}), **more}


ORDERS = {
    "description": "One row per order",
    "labels": {"domain": "sales"},
    "numRows": 1250, "numBytes": 98304, "creationTime": 1760000000000, "lastModifiedTime": 1760086400000,
    "schema": {"fields": [
        field("id", "INTEGER", "REQUIRED", description="Order id"),
        field("amount", "NUMERIC", precision=12, scale=2),
        field("note", "STRING", maxLength=200),
        field("email", "STRING", policyTags={"names": [EMAIL_TAG]}),
        field("customer", "RECORD", fields=[
            field("name", "STRING"),
            field("address", "RECORD", fields=[field("city", "STRING"), field("zip", "STRING")]),
        ]),
        field("tags", "STRING", "REPEATED"),
        field("placed_at", "TIMESTAMP", "REQUIRED"),
        field("created", "DATE", defaultValueExpression="CURRENT_DATE()"),
        field("region", "STRING"),
    ]},
    "timePartitioning": {"type": "DAY", "field": "placed_at", "expirationMs": 7776000000},
    "clustering": {"fields": ["region", "id"]},
    "tableConstraints": {
        "primaryKey": {"columns": ["id"]},
        "foreignKeys": [{"name": "orders_region_fk",
                         "referencedTable": {"projectId": PROJECT, "datasetId": "ref", "tableId": "regions"},
                         "columnReferences": [{"referencingColumn": "region", "referencedColumn": "code"}]}],
    },
}

SALES_TABLES = {
    "orders": ORDERS,
    "typed_std": {"schema": {"fields": [
        field("n", "INT64", "REQUIRED"), field("x", "FLOAT64"), field("ok", "BOOL"),
        field("pt", "STRUCT", fields=[field("lat", "FLOAT64"), field("lon", "FLOAT64")]),
        field("amounts", "BIGNUMERIC", "REPEATED", precision=40, scale=4),
        field("doc", "JSON"), field("geo", "GEOGRAPHY"), field("raw", "BYTES", maxLength=16),
    ]}},
    "orders_by_region": {"type": "VIEW", "view": {"query": "SELECT region, COUNT(*) n FROM sales.orders GROUP BY 1"},
                         "schema": {"fields": [field("region", "STRING"), field("n", "INTEGER")]}},
    "daily_totals": {"type": "MATERIALIZED_VIEW",
                     "materializedView": {"query": "SELECT DATE(placed_at) d, SUM(amount) t FROM sales.orders GROUP BY 1"},
                     "schema": {"fields": [field("d", "DATE"), field("t", "NUMERIC")]}},
    "events_ext": {"type": "EXTERNAL", "externalDataConfiguration": {
        "sourceFormat": "PARQUET", "sourceUris": ["gs://omrun-bucket/events/*"],
        "hivePartitioningOptions": {"mode": "AUTO", "sourceUriPrefix": "gs://omrun-bucket/events/", "fields": ["dt"]}},
        "schema": {"fields": [field("event", "STRING"), field("dt", "DATE")]}},
    "orders_snap": {"type": "SNAPSHOT", "snapshotDefinition": {
        "baseTableReference": {"projectId": PROJECT, "datasetId": "sales", "tableId": "orders"},
        "snapshotTime": "2025-10-08T00:00:00Z"}, "schema": {"fields": [field("id", "INTEGER")]}},
    "buckets": {"rangePartitioning": {"field": "bucket", "range": {"start": 0, "end": 100, "interval": 10}},
                "schema": {"fields": [field("bucket", "INTEGER", "REQUIRED")]}},
    "gone": {"vanished": True, "schema": {"fields": [field("x", "STRING")]}},
}


def spec() -> dict:
    wide = {f"t{n:02d}": {"schema": {"fields": [field("x", "INTEGER")]}} for n in range(7)}
    return {"projects": {
        PROJECT: {"datasets": {
            "sales": {"description": "Sales data", "friendlyName": "Sales", "labels": {"team": "sales"},
                      "defaultTableExpirationMs": 5184000000, "tables": SALES_TABLES},
            "ref": {"tables": {"regions": {"schema": {"fields": [field("code", "STRING", "REQUIRED")]},
                                           "tableConstraints": {"primaryKey": {"columns": ["code"]}}}}},
            "wide": {"location": "EU", "tables": wide},
            "locked": {"denied": True, "tables": {}},
            "_staging": {"tables": {}},
        }},
        "other-proj": {"datasets": {"shared": {"tables": {}}}},
    }, "taxonomies": {
        TAXONOMY: {"displayName": "Sensitivity", "description": "What may be shown", "policyTags": {
            PII: {"displayName": "PII", "description": "Personal data"},
            EMAIL_TAG: {"displayName": "Email", "parentPolicyTag": PII},
            PHONE_TAG: {"displayName": "Phone", "parentPolicyTag": PII},
        }},
        f"projects/{PROJECT}/locations/us/taxonomies/9000": {"displayName": "Retention", "policyTags": {}},
    }}


# ---- keys, credentials, raw HTTP ------------------------------------------------------------------------


def keypair(directory: str, name: str) -> tuple[str, str]:
    """A fresh 2048-bit RSA key pair from the openssl CLI: (private PEM, public PEM)."""
    private = os.path.join(directory, f"{name}.pem")
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", private],
                   check=True, capture_output=True)
    public = subprocess.run(["openssl", "pkey", "-in", private, "-pubout"], check=True, capture_output=True, text=True)
    with open(private) as f:
        return f.read(), public.stdout


def key_info(private_pem: str, token_uri: str, email=EMAIL, key_id=KEY_ID) -> dict:
    """A service account key file, as the Cloud console downloads it, `token_uri` aside."""
    return {"type": "service_account", "project_id": PROJECT, "private_key_id": key_id,
            "private_key": private_pem, "client_email": email, "client_id": "104712345678901234567",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": token_uri}


def credentials(server, private_pem: str, scopes=("cloud-platform",), **key):
    info = key_info(private_pem, server.base + "/token", **key)
    return service_account.Credentials.from_service_account_info(info, scopes=[SCOPE + s for s in scopes])


def bq_client(server, creds) -> bigquery.Client:
    return bigquery.Client(project=PROJECT, credentials=creds, client_options={"api_endpoint": server.base})


def raw(server, method: str, path: str, token: str | None = None, form: dict | None = None):
    """(status, headers, JSON body) of one plain request."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    req = urllib.request.Request(server.base + path, data=data, method=method)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, dict(r.headers), json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), json.loads(e.read())


def requests_logged(path: str) -> list[dict]:
    with open(path) as f:
        return [json.loads(line) for line in f]


def assertion(private_pem: str, claims: dict, header: dict | None = None, key_id=KEY_ID) -> str:
    """A JWT signed RS256 by google-auth's own signer; `header` replaces the one it would write."""
    signer = crypt.RSASigner.from_string(private_pem, key_id)
    if header is None:
        return jwt.encode(signer, claims).decode()
    parts = [jwt._helpers.unpadded_urlsafe_b64encode(json.dumps(p).encode()) for p in (header, claims)]
    signing_input = b".".join(parts)
    return (signing_input + b"." + jwt._helpers.unpadded_urlsafe_b64encode(signer.sign(signing_input))).decode()


def claims(server, **override) -> dict:
    now = int(time.time())
    return {"iss": EMAIL, "scope": SCOPE + "bigquery", "aud": "https://oauth2.googleapis.com/token",
            "iat": now, "exp": now + 3600, **override}


def refused(server, jwt_text: str) -> tuple[int, dict]:
    status, _, body = raw(server, "POST", "/token",
                          form={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": jwt_text})
    return status, body


# ---- the checks -------------------------------------------------------------------------------------


def token_endpoint(standin, server, key: str, wrong_key: str):
    request = Request()
    token, expiry, data = oauth_client.jwt_grant(request, server.base + "/token",
                                                 credentials(server, key)._make_authorization_grant_assertion())
    check("google-auth's own assertion is exchanged: access_token, expires_in, token_type Bearer",
          token.startswith("ya29.") and expiry is not None and data["token_type"] == "Bearer"
          and data["expires_in"] == 3599, data)
    cases = [
        ("a key the account does not have", assertion(wrong_key, claims(server)), "invalid_grant", "Invalid JWT Signature."),
        ("another account's e-mail", assertion(key, claims(server, iss="someone@else.iam.gserviceaccount.com")),
         "invalid_grant", "account not found"),
        ("a kid naming another key", assertion(key, claims(server), key_id="0" * 40), "invalid_grant", "Signature"),
        ("an expired assertion", assertion(key, claims(server, iat=int(time.time()) - 7300, exp=int(time.time()) - 3700)),
         "invalid_grant", "short-lived"),
        ("a lifetime over an hour", assertion(key, claims(server, exp=int(time.time()) + 3700)), "invalid_grant", "short-lived"),
        ("an iat in the future", assertion(key, claims(server, iat=int(time.time()) + 600, exp=int(time.time()) + 1200)),
         "invalid_grant", "short-lived"),
        ("another audience", assertion(key, claims(server, aud="https://example.com/token")), "invalid_grant", "audience"),
        ("alg HS256", assertion(key, claims(server), header={"alg": "HS256", "typ": "JWT"}), "invalid_grant", "algorithm"),
        ("no scope", assertion(key, {k: v for k, v in claims(server).items() if k != "scope"}), "invalid_scope", "scope"),
        ("a scope that is not Google's", assertion(key, claims(server, scope="read:everything")), "invalid_scope", "scope"),
    ]
    for what, jwt_text, error, words in cases:
        status, body = refused(server, jwt_text)
        check(f"token endpoint refuses {what}: 400 {error}",
              status == 400 and body.get("error") == error and words in body.get("error_description", ""), body)
    good = assertion(key, claims(server))
    head, payload, signature = good.split(".")
    forged = jwt._helpers.unpadded_urlsafe_b64encode(json.dumps(claims(server, scope=SCOPE + "cloud-platform")).encode())
    status, body = refused(server, f"{head}.{forged.decode()}.{signature}")
    check("token endpoint refuses claims changed after signing", status == 400 and "Signature" in body["error_description"], body)
    status, _, body = raw(server, "POST", "/token", form={"grant_type": "client_credentials", "assertion": good})
    check("token endpoint refuses another grant_type: unsupported_grant_type",
          status == 400 and body["error"] == "unsupported_grant_type", body)
    status, body = refused(server, assertion(key, claims(server), header={"alg": "RS256", "typ": "JWT"}))
    check("an assertion without kid is checked with the account's key", status == 200, body)
    status, body = refused(server, assertion(key, claims(server, aud=server.base + "/token")))
    check("the audience may be the token_uri of the key file (the stand-in's URL)", status == 200, body)
    try:
        list(bq_client(server, credentials(server, wrong_key)).list_datasets())
        check("the client with a wrong key is refused at the token exchange", False, "no error")
    except google.auth.exceptions.RefreshError as e:
        check("the client with a wrong key is refused at the token exchange (RefreshError invalid_grant)",
              "invalid_grant" in str(e) and "Invalid JWT Signature." in str(e), e)


def authentication(standin, server, key: str, public: str, log: str):
    status, headers, body = raw(server, "GET", f"/bigquery/v2/projects/{PROJECT}/datasets")
    err = body.get("error", {})
    check("no token: 401 UNAUTHENTICATED, reason required, WWW-Authenticate",
          status == 401 and err.get("status") == "UNAUTHENTICATED" and err["errors"][0]["reason"] == "required"
          and err["errors"][0]["domain"] == "global" and "Bearer" in headers.get("WWW-Authenticate", ""), body)
    status, _, body = raw(server, "GET", f"/bigquery/v2/projects/{PROJECT}/datasets", token="ya29.made-up")
    check("a token not issued here: 401, reason authError",
          status == 401 and body["error"]["errors"][0]["reason"] == "authError", body)
    bq_only = credentials(server, key, scopes=("bigquery",))
    bq_only.refresh(Request())
    status, _, body = raw(server, "GET", f"/v1/{TAXONOMY}", token=bq_only.token)
    check("a token without cloud-platform scope: Data Catalog answers 403 PERMISSION_DENIED",
          status == 403 and body["error"]["status"] == "PERMISSION_DENIED", body)
    status, _, _ = raw(server, "GET", f"/bigquery/v2/projects/{PROJECT}/datasets", token=bq_only.token)
    check("the bigquery scope is enough for BigQuery", status == 200, status)
    # A stale token the client still believes in: it must refresh on the 401 and try again.
    creds = credentials(server, key)
    creds.token, creds.expiry = "ya29.stale", datetime.datetime(2100, 1, 1)
    before = len(requests_logged(log))
    names = [d.dataset_id for d in bq_client(server, creds).list_datasets()]
    seen = [(r["api"], r["status"]) for r in requests_logged(log)[before:]]
    check("the client refreshes its token on a 401 and succeeds",
          names and seen[:3] == [("bigquery", 401), ("oauth", 200), ("bigquery", 200)], seen)

    short = standin.start(spec(), client_email=EMAIL, public_key_pem=public, key_id=KEY_ID,
                          expires_in=1, log=log + ".short")
    fresh = credentials(short, key)
    fresh.refresh(Request())
    status_now, _, _ = raw(short, "GET", f"/bigquery/v2/projects/{PROJECT}/datasets", token=fresh.token)
    time.sleep(1.3)
    status_later, _, body = raw(short, "GET", f"/bigquery/v2/projects/{PROJECT}/datasets", token=fresh.token)
    check("a token is refused once its expires_in has passed (401 authError)",
          status_now == 200 and status_later == 401 and body["error"]["errors"][0]["reason"] == "authError",
          (status_now, status_later, body))
    client = bq_client(short, credentials(short, key))
    before = len(requests_logged(log + ".short"))
    list(client.list_datasets())
    time.sleep(1.2)
    list(client.list_datasets())
    log_short = requests_logged(log + ".short")[before:]
    api = [r for r in log_short if r["api"] == "bigquery" and r.get("token")]
    issued = [r["issued"] for r in log_short if r["api"] == "oauth" and r["status"] == 200]
    check("with a short expires_in the client renews its token and uses the new one",
          len(api) == 2 and all(r["status"] == 200 for r in api) and api[1]["token"] > api[0]["token"]
          and len(issued) == 2, log_short)
    check("the request log says whether a bearer token came, never the token",
          all("bearer" in r for r in requests_logged(log + ".short")) and fresh.token not in open(log + ".short").read(),
          log_short[:2])
    short.shutdown()


def datasets(server, client: bigquery.Client, log: str):
    before = len(requests_logged(log))
    names = [d.dataset_id for d in client.list_datasets(page_size=2)]
    check("list_datasets: every dataset but the hidden one, pages of two",
          names == ["locked", "ref", "sales", "wide"], names)
    calls = [r for r in requests_logged(log)[before:] if r["path"].endswith("/datasets")]
    check("list_datasets asked maxResults=2 and followed nextPageToken to the end",
          len(calls) == 2 and calls[0]["query"].get("maxResults") == "2" and "pageToken" in calls[1]["query"], calls)
    names = [d.dataset_id for d in client.list_datasets(include_all=True)]
    check("list_datasets(include_all=True) shows the hidden dataset (all=True)", "_staging" in names, names)
    names = [d.dataset_id for d in client.list_datasets(filter="labels.team:sales")]
    check("list_datasets(filter='labels.team:sales') keeps the labelled dataset", names == ["sales"], names)
    item = next(d for d in client.list_datasets() if d.dataset_id == "sales")
    check("a dataset list item: reference, labels, friendly name",
          item.project == PROJECT and item.labels == {"team": "sales"} and item.friendly_name == "Sales", item._properties)
    names = [d.dataset_id for d in client.list_datasets(project="other-proj")]
    check("another project's datasets", names == ["shared"], names)
    ds = client.get_dataset(f"{PROJECT}.sales")
    check("get_dataset: description, labels, location, created, default table expiration",
          ds.description == "Sales data" and ds.labels == {"team": "sales"} and ds.location == "US"
          and ds.created.year == 2025 and ds.default_table_expiration_ms == 5184000000, ds._properties)
    check("get_dataset: access entries parsed", len(ds.access_entries) == 3, ds.access_entries)
    check("a dataset's location", client.get_dataset(f"{PROJECT}.wide").location == "EU")
    expect_error("get_dataset of a missing dataset", lambda: client.get_dataset(f"{PROJECT}.nope"),
                 api_exceptions.NotFound, "notFound", f"Not found: Dataset {PROJECT}:nope")
    expect_error("a missing project", lambda: list(client.list_datasets(project="nobody")),
                 api_exceptions.NotFound, "notFound", "Not found: Project nobody")


def expect_error(what: str, call, kind, reason: str, words: str):
    try:
        call()
        check(f"{what} raises {kind.__name__}", False, "no error")
    except kind as e:
        check(f"{what} raises the client's {kind.__name__} (reason {reason})",
              e.errors and e.errors[0]["reason"] == reason and words in e.message, (e.errors, e.message))


def tables(server, client: bigquery.Client, log: str):
    before = len(requests_logged(log))
    items = list(client.list_tables(f"{PROJECT}.sales", page_size=3))
    ids = [t.table_id for t in items]
    check("list_tables: every table, in id order", ids == sorted(SALES_TABLES), ids)
    calls = [r for r in requests_logged(log)[before:] if r["path"].endswith("/tables")]
    check("list_tables followed three pages of three", len(calls) == 3 and calls[0]["query"]["maxResults"] == "3", calls)
    by_id = {t.table_id: t for t in items}
    types = {t.table_id: t.table_type for t in items}
    check("list items carry their type: TABLE, VIEW, MATERIALIZED_VIEW, EXTERNAL, SNAPSHOT",
          types["orders"] == "TABLE" and types["orders_by_region"] == "VIEW"
          and types["daily_totals"] == "MATERIALIZED_VIEW" and types["events_ext"] == "EXTERNAL"
          and types["orders_snap"] == "SNAPSHOT", types)
    o = by_id["orders"]
    check("a list item: time partitioning, clustering, labels, reference",
          o.partitioning_type == "DAY" and o.time_partitioning.field == "placed_at"
          and o.clustering_fields == ["region", "id"] and o.labels == {"domain": "sales"}
          and o.reference.dataset_id == "sales" and o.full_table_id == f"{PROJECT}:sales.orders", o._properties)
    v = by_id["orders_by_region"]
    check("a view's list item: its dialect, not its query",
          v.view_use_legacy_sql is False and "query" not in v._properties["view"], v._properties)
    check("the wide dataset, 7 tables over pages of 3",
          [t.table_id for t in client.list_tables(f"{PROJECT}.wide", page_size=3)] == [f"t{n:02d}" for n in range(7)])
    expect_error("list_tables of a dataset one may not read", lambda: list(client.list_tables(f"{PROJECT}.locked")),
                 api_exceptions.Forbidden, "accessDenied", "Access Denied")
    status, _, body = raw(server, "GET", f"/bigquery/v2/projects/{PROJECT}/datasets/sales/tables?pageToken=bogus",
                          token=token_of(client))
    check("a page token that is not one of ours: 400 reason invalid",
          status == 400 and body["error"]["errors"][0]["reason"] == "invalid", body)


def token_of(client: bigquery.Client) -> str:
    creds = client._credentials
    if not creds.valid:
        creds.refresh(Request())
    return creds.token


def table_details(client: bigquery.Client):
    t = client.get_table(f"{PROJECT}.sales.orders")
    check("get_table: type, description, labels, statistics as numbers, times as datetimes",
          t.table_type == "TABLE" and t.description == "One row per order" and t.labels == {"domain": "sales"}
          and t.num_rows == 1250 and t.num_bytes == 98304 and t.created.year == 2025 and t.modified > t.created
          and t.location == "US", t._properties)
    s = {f.name: f for f in t.schema}
    check("schema: names in order", [f.name for f in t.schema] ==
          ["id", "amount", "note", "email", "customer", "tags", "placed_at", "created", "region"])
    check("schema: types and modes (REQUIRED, NULLABLE by default, REPEATED)",
          (s["id"].field_type, s["id"].mode) == ("INTEGER", "REQUIRED") and s["region"].mode == "NULLABLE"
          and (s["tags"].field_type, s["tags"].mode) == ("STRING", "REPEATED")
          and s["placed_at"].field_type == "TIMESTAMP", [(f.name, f.field_type, f.mode) for f in t.schema])
    check("schema: a column's description", s["id"].description == "Order id")
    check("schema: precision and scale, maxLength as integers",
          (s["amount"].precision, s["amount"].scale, s["note"].max_length) == (12, 2, 200))
    check("schema: defaultValueExpression", s["created"].default_value_expression == "CURRENT_DATE()")
    check("schema: policy tags", s["email"].policy_tags is not None and list(s["email"].policy_tags.names) == [EMAIL_TAG],
          s["email"].policy_tags)
    customer = s["customer"]
    address = {f.name: f for f in customer.fields}["address"]
    check("schema: nested RECORD fields, two levels deep",
          customer.field_type == "RECORD" and [f.name for f in customer.fields] == ["name", "address"]
          and [f.name for f in address.fields] == ["city", "zip"], customer)
    check("time partitioning: type, field, expiration",
          t.time_partitioning.type_ == "DAY" and t.time_partitioning.field == "placed_at"
          and t.time_partitioning.expiration_ms == 7776000000, t.time_partitioning)
    check("clustering fields", t.clustering_fields == ["region", "id"])
    c = t.table_constraints
    fk = c.foreign_keys[0] if c and c.foreign_keys else None
    check("table constraints: primary key and a named foreign key with its columns",
          c.primary_key.columns == ["id"] and fk.name == "orders_region_fk"
          and (fk.referenced_table.project, fk.referenced_table.dataset_id, fk.referenced_table.table_id)
          == (PROJECT, "ref", "regions")
          and [(r.referencing_column, r.referenced_column) for r in fk.column_references] == [("region", "code")], c)

    std = client.get_table(f"{PROJECT}.sales.typed_std")
    types = [(f.field_type, f.mode) for f in std.schema]
    check("standard SQL spellings come back as written: INT64, FLOAT64, BOOL, STRUCT, BIGNUMERIC, JSON…",
          [ty for ty, _ in types] == ["INT64", "FLOAT64", "BOOL", "STRUCT", "BIGNUMERIC", "JSON", "GEOGRAPHY", "BYTES"],
          types)
    legacy = {f.name: f.to_standard_sql().type.type_kind for f in t.schema}
    standard = {f.name: f.to_standard_sql().type.type_kind for f in std.schema}
    check("both spellings map to the same standard SQL types in the client",
          legacy["id"] == standard["n"] == StandardSqlTypeNames.INT64
          and legacy["customer"] == standard["pt"] == StandardSqlTypeNames.STRUCT
          and standard["ok"] == StandardSqlTypeNames.BOOL and standard["x"] == StandardSqlTypeNames.FLOAT64,
          (legacy, standard))
    big = {f.name: f for f in std.schema}
    check("BIGNUMERIC precision/scale, BYTES maxLength, REPEATED",
          (big["amounts"].precision, big["amounts"].scale, big["amounts"].mode, big["raw"].max_length)
          == (40, 4, "REPEATED", 16))

    v = client.get_table(f"{PROJECT}.sales.orders_by_region")
    check("a view: its query, GoogleSQL", v.table_type == "VIEW" and v.view_query.startswith("SELECT region")
          and v.view_use_legacy_sql is False and v.num_rows == 0, v._properties)
    mv = client.get_table(f"{PROJECT}.sales.daily_totals")
    check("a materialized view: its query, refresh enabled and interval",
          mv.table_type == "MATERIALIZED_VIEW" and mv.mview_query.startswith("SELECT DATE")
          and mv.mview_enable_refresh is True and mv.mview_refresh_interval.total_seconds() == 1800, mv._properties)
    ext = client.get_table(f"{PROJECT}.sales.events_ext")
    edc = ext.external_data_configuration
    check("an external table: format, URIs, hive partitioning",
          ext.table_type == "EXTERNAL" and edc.source_format == "PARQUET"
          and edc.source_uris == ["gs://omrun-bucket/events/*"] and edc.hive_partitioning.mode == "AUTO"
          and edc.hive_partitioning.source_uri_prefix == "gs://omrun-bucket/events/", ext._properties)
    snap = client.get_table(f"{PROJECT}.sales.orders_snap")
    check("a snapshot: its base table and time",
          snap.table_type == "SNAPSHOT" and snap.snapshot_definition.base_table_reference.table_id == "orders"
          and snap.snapshot_definition.snapshot_time.year == 2025, snap._properties)
    rng = client.get_table(f"{PROJECT}.sales.buckets").range_partitioning
    check("range partitioning: field, start, end, interval as integers",
          (rng.field, rng.range_.start, rng.range_.end, rng.range_.interval) == ("bucket", 0, 100, 10), rng)
    expect_error("get_table of a missing table", lambda: client.get_table(f"{PROJECT}.sales.nope"),
                 api_exceptions.NotFound, "notFound", f"Not found: Table {PROJECT}:sales.nope")
    expect_error("get_table of a table dropped after the listing", lambda: client.get_table(f"{PROJECT}.sales.gone"),
                 api_exceptions.NotFound, "notFound", "sales.gone")


def data_catalog(server, creds, log: str):
    dc = build("datacatalog", "v1", credentials=creds, client_options={"api_endpoint": server.base + "/"},
               static_discovery=True, cache_discovery=False)
    taxa_api = dc.projects().locations().taxonomies()
    before = len(requests_logged(log))
    found, request = [], taxa_api.list(parent=f"projects/{PROJECT}/locations/us", pageSize=1)
    while request is not None:
        answer = request.execute()
        found += answer.get("taxonomies", [])
        request = taxa_api.list_next(request, answer)
    calls = [r for r in requests_logged(log)[before:] if r["path"].endswith("/taxonomies")]
    check("taxonomies.list: both taxonomies, one a page, nextPageToken followed",
          [t["name"] for t in found] == [TAXONOMY, f"projects/{PROJECT}/locations/us/taxonomies/9000"]
          and len(calls) == 2 and calls[0]["query"].get("pageSize") == "1", (found, calls))
    empty = taxa_api.list(parent=f"projects/{PROJECT}/locations/eu").execute()
    check("taxonomies.list of a location without any: an empty answer", empty == {}, empty)
    taxonomy = taxa_api.get(name=TAXONOMY).execute()
    check("taxonomies.get: displayName, description, policyTagCount",
          taxonomy["displayName"] == "Sensitivity" and taxonomy["description"] == "What may be shown"
          and taxonomy["policyTagCount"] == 3, taxonomy)
    tags_api = taxa_api.policyTags()
    tags, request = [], tags_api.list(parent=TAXONOMY, pageSize=2)
    while request is not None:
        answer = request.execute()
        tags += answer.get("policyTags", [])
        request = tags_api.list_next(request, answer)
    by_name = {t["name"]: t for t in tags}
    check("policyTags.list: every tag of the taxonomy, over pages of two",
          sorted(by_name) == sorted([PII, EMAIL_TAG, PHONE_TAG]), tags)
    check("a policy tag's parent and children",
          by_name[EMAIL_TAG]["parentPolicyTag"] == PII and by_name[PII]["childPolicyTags"] == [EMAIL_TAG, PHONE_TAG]
          and "parentPolicyTag" not in by_name[PII], by_name)
    tag = tags_api.get(name=EMAIL_TAG).execute()
    check("policyTags.get: the tag a BigQuery column names", tag["displayName"] == "Email", tag)
    try:
        tags_api.get(name=f"{TAXONOMY}/policyTags/999").execute()
        check("policyTags.get of a missing tag raises HttpError 404", False, "no error")
    except HttpError as e:
        body = json.loads(e.content)
        check("policyTags.get of a missing tag: HttpError 404, NOT_FOUND",
              e.resp.status == 404 and body["error"]["status"] == "NOT_FOUND", body)
    return found, tags


def conformance_of_answers(server, client: bigquery.Client, creds):
    """Every kind of answer, raw, against Google's discovery documents; Data Catalog's also
    parsed by google-cloud-datacatalog's message types, which refuse unknown fields."""
    token = token_of(client)
    bq = conformance.Schema(conformance.discovery("bigquery.v2"))
    base = f"/bigquery/v2/projects/{PROJECT}"
    answers = [(f"{base}/datasets?maxResults=2", ("datasets", "list")), (f"{base}/datasets/sales", ("datasets", "get")),
               (f"{base}/datasets/sales/tables?maxResults=3", ("tables", "list"))]
    answers += [(f"{base}/datasets/sales/tables/{t}", ("tables", "get")) for t in SALES_TABLES if t != "gone"]
    problems = []
    for path, method in answers:
        status, _, body = raw(server, "GET", path, token=token)
        problems += [f"{path}: {p}" for p in bq.mismatches(body, bq.response_of(*method))] if status == 200 else [f"{path}: {status}"]
    check(f"{len(answers)} BigQuery answers fit bigquery.v2.json field by field (int64s as strings)", not problems, problems)
    dcs = conformance.Schema(conformance.discovery("datacatalog.v1"))
    taxonomies = ("projects", "locations", "taxonomies")
    answers = [(f"/v1/projects/{PROJECT}/locations/us/taxonomies?pageSize=1", taxonomies + ("list",),
                datacatalog_v1.ListTaxonomiesResponse),
               (f"/v1/{TAXONOMY}", taxonomies + ("get",), datacatalog_v1.Taxonomy),
               (f"/v1/{TAXONOMY}/policyTags?pageSize=2", taxonomies + ("policyTags", "list"),
                datacatalog_v1.ListPolicyTagsResponse),
               (f"/v1/{EMAIL_TAG}", taxonomies + ("policyTags", "get"), datacatalog_v1.PolicyTag)]
    problems, parsed = [], []
    for path, method, message in answers:
        status, _, body = raw(server, "GET", path, token=creds.token)
        problems += [f"{path}: {p}" for p in dcs.mismatches(body, dcs.response_of(*method))]
        try:
            parsed.append(message.from_json(json.dumps(body)))
        except Exception as e:  # the message types name what they refused
            problems.append(f"{path}: {message.__name__}: {e}")
    check("Data Catalog answers fit datacatalog.v1.json field by field", not problems, problems)
    check("Data Catalog answers parse strictly into google-cloud-datacatalog's messages",
          len(parsed) == 4 and parsed[1].policy_tag_count == 3 and parsed[3].parent_policy_tag == PII, parsed)


def faults(standin, key: str, public: str, log: str):
    slow = standin.start(spec(), client_email=EMAIL, public_key_pem=public, key_id=KEY_ID,
                         flaky_every=2, latency_ms=150, log=log + ".flaky")
    client = bq_client(slow, credentials(slow, key))
    quick_retry = DEFAULT_RETRY.with_delay(initial=0.05, maximum=0.2)
    ids = [t.table_id for t in client.list_tables(f"{PROJECT}.wide", page_size=3, retry=quick_retry)]
    flaky = [r for r in requests_logged(log + ".flaky") if r["api"] == "bigquery"]
    check("503 backendError every other call: the client retries and misses nothing",
          ids == [f"t{n:02d}" for n in range(7)] and any(r["status"] == 503 and r["reason"] == "backendError" for r in flaky),
          flaky)
    started = time.monotonic()
    client.get_table(f"{PROJECT}.wide.t00", retry=quick_retry)
    check("the latency setting delays each answer", time.monotonic() - started >= 0.15)
    slow.shutdown()


def run(standin) -> int:
    tmp = tempfile.mkdtemp(prefix="bigquery-selftest-")
    key, public = keypair(tmp, "account")
    wrong_key, _ = keypair(tmp, "other")
    log = os.path.join(tmp, "requests.jsonl")
    server = standin.start(spec(), client_email=EMAIL, public_key_pem=public, key_id=KEY_ID, page_size=50, log=log)
    try:
        token_endpoint(standin, server, key, wrong_key)
        authentication(standin, server, key, public, log)
        creds = credentials(server, key)
        client = bq_client(server, creds)
        datasets(server, client, log)
        tables(server, client, log)
        table_details(client)
        data_catalog(server, creds, log)
        conformance_of_answers(server, client, creds)
        faults(standin, key, public, log)
    except Exception:
        # A client that raises where a check expected an answer: the stand-in answered wrong.
        traceback.print_exc()
        print(f"FAIL after {len(CHECKS)} checks: the clients raised (above)", flush=True)
        return 1
    finally:
        server.shutdown()
    print(f"(host names refused on the way out: {sorted(set(REFUSED_HOSTS)) or 'none'})", flush=True)
    print(CHECKS.summary(), flush=True)
    return 0
