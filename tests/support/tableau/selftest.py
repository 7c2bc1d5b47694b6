"""The stand-in read by Tableau's own Python client, tableauserverclient (pinned in
scripts/tableau-standin.sh, the version openmetadata-ingestion pins): if it finds the server's
version, signs in with a personal access token and with a password, pages through workbooks and
projects, populates views with their usage, reads users, runs Metadata API queries (OpenMetadata's
own, from its Tableau connector, verbatim) and raises its own error classes for refusals, the
stand-in answers as Tableau Server does. The JSON form (`Accept: application/json`, what omrun's
plugin reads) is checked against the XML form, field by field.

Run by `standin.py selftest` in the virtualenv of scripts/tableau-standin.sh. Prints one line per
check and `N passed, 0 failed` at the end; exits non-zero at the first failed check.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
import urllib.request

import tableauserverclient as TSC
from tableauserverclient.server.endpoint.exceptions import (
    NotSignedInError,
    FailedSignInError,
    ServerResponseError,
)

import catalog as catalog_mod
from standin_kit import Checks, start_thread

NAME, SECRET = "omrun-pat", "pat-s3cr&t/+ü"
USER, PASSWORD = "admin", "pw-s3cr3t"

# OpenMetadata's Metadata API queries (openmetadata-ingestion 2.0.7.0,
# metadata/ingestion/source/dashboard/tableau/queries.py), verbatim.
OM_DATASOURCES_QUERY = """
{{
workbooks(filter:{{luid: "{workbook_id}"}}){{
  id
  luid
  name
  embeddedDatasourcesConnection(first: {first}, offset: {offset} ) {{
    nodes {{
      id
      name
      upstreamDatasources{{
        id
        name
        description
        ... on PublishedDatasource {{
          projectName
        }}
        tags {{
          name
        }}
        fields {{
          id
          name
          upstreamColumns{{
            id
            name
            remoteType
          }}
          description
          ... on CalculatedField {{
            formula
          }}
        }}
      }}
      fields {{
        id
        name
        upstreamColumns{{
          id
          name
          remoteType
        }}
        description
        ... on CalculatedField {{
          formula
        }}
      }}
      upstreamTables {{
        id
        luid
        name
        fullName
        schema
        referencedByQueries {{
          id
          name
          query
        }}
        columns {{
          id
          name
        }}
        database {{
          id
          name
        }}
      }}
    }}
    totalCount
  }}
  }}
}}
"""
OM_CUSTOM_SQL_QUERY = """
{
  customSQLTables {
    name
    id
    downstreamDatasources{
      id
      name
    }
    query
  }
}
"""


def start(standin, catalog: dict, **options):
    fd, path = tempfile.mkstemp(suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump(catalog, f)
    log = path + ".log"
    args = argparse.Namespace(catalog=path, token_name=NAME, token_secret=SECRET, username=USER,
                              password=PASSWORD, api_version="3.24", token_ttl=options.get("ttl", 3600),
                              rate_limit=options.get("rate_limit", 0), node_limit=options.get("node_limit", 20000),
                              port=0, latency_ms=0, page_size=1000, flaky_every=0, log=log)
    server = start_thread(standin.make_server(args, standin.load_catalog(path)))
    return server, f"http://127.0.0.1:{server.server_address[1]}", log


def requests_of(log: str) -> list:
    with open(log) as f:
        return [json.loads(line) for line in f]


def get_json(url: str, token: str | None) -> dict:
    req = urllib.request.Request(url, headers={"Accept": "application/json", **({"X-Tableau-Auth": token} if token else {})})
    with urllib.request.urlopen(req) as r:
        return json.load(r)


def run(standin) -> int:
    c = Checks()
    catalog = catalog_mod.generate(230, 3)
    server, url, log = start(standin, catalog)

    tsc = TSC.Server(url, use_server_version=True)
    c.check("the server's REST API version is read from serverInfo", tsc.version == "3.24", tsc.version)
    info = tsc.server_info.get()
    c.check("serverInfo: product version and build", info.product_version == "2024.2.0" and info.build_number, info)

    try:
        tsc.auth.sign_in(TSC.PersonalAccessTokenAuth(NAME, "wrong", site_id="omrun"))
        c.check("a wrong token secret is refused", False)
    except FailedSignInError as e:
        c.check("a wrong token secret is refused (FailedSignInError 401001)", e.code == "401001", e)
    try:
        tsc.auth.sign_in(TSC.PersonalAccessTokenAuth(NAME, SECRET, site_id="elsewhere"))
        c.check("another site is refused", False)
    except FailedSignInError as e:
        c.check("a site other than the catalog's is refused", e.code == "401001", e)
    try:
        tsc.workbooks.get()
        c.check("listing before signing in", False)
    except NotSignedInError:
        c.check("the client will not list before signing in", True)

    tsc.auth.sign_in(TSC.PersonalAccessTokenAuth(NAME, SECRET, site_id="omrun"))
    c.check("signed in with a personal access token: the site's id", tsc.site_id == catalog["site"]["id"], tsc.site_id)
    c.check("signed in: the user's id", tsc.user_id == catalog["users"][0]["id"], tsc.user_id)

    workbooks = list(TSC.Pager(tsc.workbooks))
    c.check("every workbook, through the pager", len(workbooks) == 230, len(workbooks))
    pages = [r for r in requests_of(log) if r["path"].endswith("/workbooks")]
    c.check("three pages of 100 (TSC's page size)", [r["query"].get("pageNumber") for r in pages] == ["1", "2", "3"]
            and all(r["query"].get("pageSize") == "100" for r in pages), pages)
    first = workbooks[0]
    want = catalog["workbooks"][0]
    c.check("a workbook's id, name, content URL, webpage URL", (first.id, first.name, first.content_url, first.webpage_url)
            == (want["id"], want["name"], want["contentUrl"], want["webpageUrl"]), vars(first))
    c.check("a workbook's project id and name", first.project_id == want["projectId"] and first.project_name == "Sales",
            (first.project_id, first.project_name))
    c.check("a workbook's owner id", first.owner_id == want["ownerId"], first.owner_id)
    c.check("a workbook's tags", first.tags == set(want["tags"]) and first.tags == {"quarterly"}, first.tags)
    c.check("a workbook's description", first.description == want["description"], first.description)
    c.check("a workbook's dates", first.created_at is not None and first.updated_at.year == 2026, first.created_at)
    untagged = workbooks[1]
    c.check("a workbook without tags or description", untagged.tags == set() and untagged.description is None,
            (untagged.tags, untagged.description))

    page, pagination = tsc.workbooks.get(TSC.RequestOptions(pagesize=1))
    c.check("a page of one: totalAvailable (OpenMetadata's progress count)",
            len(page) == 1 and pagination.total_available == 230 and pagination.page_size == 1, pagination)
    try:
        tsc.workbooks.get(TSC.RequestOptions(pagesize=1001))
        c.check("an over-large page is refused", False)
    except ServerResponseError as e:
        c.check("a page size over 1000 is refused (400006)", e.code == "400006", e)
    try:
        tsc.workbooks.get(TSC.RequestOptions(pagenumber=4, pagesize=100))
        c.check("a page past the end is refused", False)
    except ServerResponseError as e:
        c.check("a page number past the end is refused (400007)", e.code == "400007", e)

    tsc.workbooks.populate_views(workbooks[3], usage=True)
    views = workbooks[3].views
    want = catalog["workbooks"][3]["views"]
    c.check("populate_views: every view of the workbook", [v.id for v in views] == [v["id"] for v in want], views)
    c.check("a view's name, content URL, sheet type", (views[1].name, views[1].content_url, views[1].sheet_type)
            == (want[1]["name"], want[1]["contentUrl"], want[1]["sheetType"]), vars(views[1]))
    c.check("a view's usage (includeUsageStatistics)", [v.total_views for v in views] == [v["totalViewCount"] for v in want],
            [v.total_views for v in views])
    c.check("a view's tags and owner", views[0].tags == {"kpi"} and views[0].owner_id == catalog["workbooks"][3]["ownerId"],
            (views[0].tags, views[0].owner_id))
    asked = [r for r in requests_of(log) if r["path"].endswith("/views")][-1]
    c.check("views asked with includeUsageStatistics=true", asked["query"] == {"includeUsageStatistics": "true"}, asked)

    user = tsc.users.get_by_id(catalog["users"][0]["id"])
    c.check("a user: name, e-mail, full name", (user.name, user.email, user.fullname)
            == ("owner1", "Owner1@Example.COM", "Owner 1"), vars(user))
    nomail = tsc.users.get_by_id(catalog["users"][-1]["id"])
    c.check("a user without an e-mail", nomail.email is None, nomail.email)
    try:
        tsc.users.get_by_id("00000000-0000-0000-0000-000000000000")
        c.check("an unknown user", False)
    except ServerResponseError as e:
        c.check("an unknown user is 404002", e.code == "404002", e)

    projects = list(TSC.Pager(tsc.projects))
    c.check("projects, with the parent of a nested one", len(projects) == 5 and
            [p.parent_id for p in projects if p.name == "Regional"] == [catalog["projects"][0]["id"]],
            [(p.name, p.parent_id) for p in projects])

    # The Metadata API, with OpenMetadata's own queries.
    wb = catalog["workbooks"][3]
    count = tsc.metadata.query(OM_DATASOURCES_QUERY.format(workbook_id=wb["id"], first=1, offset=1))
    conn = count["data"]["workbooks"][0]["embeddedDatasourcesConnection"]
    c.check("OpenMetadata's count query: totalCount of a workbook's data sources",
            conn["totalCount"] == len(wb["embeddedDatasources"]) == 2 and len(conn["nodes"]) == 1, conn)
    answer = tsc.metadata.query(OM_DATASOURCES_QUERY.format(workbook_id=wb["id"], first=10, offset=0))
    c.check("OpenMetadata's data source query has no errors", "errors" not in answer, answer.get("errors"))
    nodes = answer["data"]["workbooks"][0]["embeddedDatasourcesConnection"]["nodes"]
    c.check("embedded data sources, by id and name", [(n["id"], n["name"]) for n in nodes]
            == [(e["id"], e["name"]) for e in wb["embeddedDatasources"]], nodes)
    over_published = nodes[0]
    pub = over_published["upstreamDatasources"][0]
    c.check("an upstream published data source with project, tags, description",
            pub["projectName"] == "Sales" and pub["tags"] == [{"name": "certified"}] and pub["description"], pub)
    calc = [f for f in pub["fields"] if "formula" in f]
    c.check("a calculated field's formula (inline fragment) and its two upstream columns",
            len(calc) == 1 and len(calc[0]["upstreamColumns"]) == 2 and calc[0]["description"], calc)
    plain = [f for f in pub["fields"] if "formula" not in f]
    c.check("column fields carry no formula key and one upstream column with its remote type",
            all(len(f["upstreamColumns"]) == 1 and f["upstreamColumns"][0]["remoteType"] for f in plain), plain)
    direct = nodes[1]
    table = direct["upstreamTables"][0]
    c.check("an upstream table: name, schema, full name, database", table["name"] and table["schema"]
            and table["fullName"] == f"[{table['schema']}].[{table['name']}]" and table["database"]["name"], table)
    sql = tsc.metadata.query(OM_CUSTOM_SQL_QUERY)
    custom = sql["data"]["customSQLTables"]
    c.check("OpenMetadata's custom SQL query: the query and its downstream data sources",
            len(custom) == 1 and custom[0]["query"].startswith("SELECT") and custom[0]["downstreamDatasources"], custom)
    bad = tsc.metadata.query("{ workbooks { luid nope } }")
    c.check("an unknown field is a validation error (HTTP 200)", "Field 'nope' in type 'Workbook' is undefined"
            in bad["errors"][0]["message"], bad)
    bad = tsc.metadata.query("{ embeddedDatasources { fields { formula } } }")
    c.check("a field of an implementation needs its fragment", "in type 'Field' is undefined" in bad["errors"][0]["message"], bad)
    try:
        tsc.metadata.query("{ workbooks { luid nope } }", abort_on_error=True)
        c.check("abort_on_error raises", False)
    except Exception as e:  # GraphQLError
        c.check("tableauserverclient raises its GraphQLError on errors when asked", type(e).__name__ == "GraphQLError", e)
    paged = tsc.metadata.query("{ workbooksConnection(first: 100, offset: 200) { nodes { luid } totalCount "
                               "pageInfo { hasNextPage endCursor } } }")
    wc = paged["data"]["workbooksConnection"]
    c.check("a root connection's last page", len(wc["nodes"]) == 30 and wc["totalCount"] == 230
            and wc["pageInfo"]["hasNextPage"] is False, wc)
    after = tsc.metadata.query("{ workbooksConnection(first: 2, after: \"%s\") { nodes { luid } } }" % wc["pageInfo"]["endCursor"])
    c.check("a cursor past the end gives an empty page", after["data"]["workbooksConnection"]["nodes"] == [], after)

    # JSON, as the plugin reads it, equals the XML the client parsed.
    token = tsc.auth_token
    site = tsc.site_id
    j = get_json(f"{url}/api/3.24/sites/{site}/workbooks?pageSize=1&pageNumber=1", token)
    w = j["workbooks"]["workbook"][0]
    c.check("JSON: pagination as strings", j["pagination"] == {"pageNumber": "1", "pageSize": "1", "totalAvailable": "230"}, j)
    c.check("JSON: the workbook as the XML says", (w["id"], w["name"], w["project"]["name"], w["owner"]["id"],
            [t["label"] for t in w["tags"]["tag"]], w["webpageUrl"]) == (first.id, first.name, first.project_name,
            first.owner_id, sorted(first.tags), first.webpage_url), w)
    v = get_json(f"{url}/api/3.24/sites/{site}/workbooks/{wb['id']}/views?includeUsageStatistics=true", token)
    c.check("JSON: views with sheet type and usage", [(x["id"], x["sheetType"], x["usage"]["totalViewCount"])
            for x in v["views"]["view"]] == [(x.id, x.sheet_type, str(x.total_views)) for x in views], v)
    u = get_json(f"{url}/api/3.24/sites/{site}/users/{catalog['users'][0]['id']}", token)
    c.check("JSON: a user", u["user"]["email"] == user.email, u)
    try:
        get_json(f"{url}/api/3.24/sites/{site}/workbooks", None)
        c.check("JSON without a token", False)
    except urllib.error.HTTPError as e:
        body = json.load(e)
        c.check("JSON without X-Tableau-Auth: 401 code 401002", e.code == 401 and body["error"]["code"] == "401002", body)
    try:
        get_json(f"{url}/api/3.24/sites/00000000-0000-0000-0000-000000000000/workbooks", token)
        c.check("another site's id", False)
    except urllib.error.HTTPError as e:
        c.check("another site's id in the path: 403", e.code == 403, e)
    try:
        get_json(f"{url}/api/3.99/serverInfo", None)
        c.check("a version above the server's", False)
    except urllib.error.HTTPError as e:
        c.check("an API version above the server's: 404", e.code == 404, e)
    c.check("the request log keeps no token", all("|" not in json.dumps(r) for r in requests_of(log)))
    tsc.auth.sign_out()
    try:
        tsc.auth.sign_in(TSC.TableauAuth(USER, "wrong", site_id="omrun"))
        c.check("a wrong password", False)
    except FailedSignInError:
        c.check("a wrong password is refused", True)
    tsc.auth.sign_in(TSC.TableauAuth(USER, PASSWORD, site_id="omrun"))
    c.check("signed in with a user name and password", tsc.site_id == catalog["site"]["id"])
    server.shutdown()

    # Tokens that die, rate limits, the node limit.
    server, url, log = start(standin, catalog_mod.generate(3, 1), ttl=0.5)
    tsc = TSC.Server(url, use_server_version=True)
    tsc.auth.sign_in(TSC.PersonalAccessTokenAuth(NAME, SECRET, site_id="omrun"))
    tsc.workbooks.get()
    time.sleep(0.7)
    try:
        tsc.workbooks.get()
        c.check("an expired token", False)
    except (ServerResponseError, NotSignedInError) as e:
        c.check("an expired token is refused with 401002", getattr(e, "code", "") == "401002", e)
    tsc.auth.sign_in(TSC.PersonalAccessTokenAuth(NAME, SECRET, site_id="omrun"))
    c.check("signing in again gives a live token", len(tsc.workbooks.get()[0]) == 3)
    server.shutdown()

    server, url, log = start(standin, catalog_mod.generate(3, 1), rate_limit=2)
    tsc = TSC.Server(url)
    tsc.version = "3.24"
    tsc.auth.sign_in(TSC.PersonalAccessTokenAuth(NAME, SECRET, site_id="omrun"))
    statuses = []
    for _ in range(4):
        try:
            tsc.workbooks.get()
            statuses.append(200)
        except ServerResponseError as e:
            statuses.append(int(e.code[:3]))
        except Exception as e:  # noqa: BLE001
            statuses.append(type(e).__name__)
    limited = [r for r in requests_of(log) if r["status"] == 429]
    c.check("over the rate limit: 429", 429 in statuses or limited, statuses)
    req = urllib.request.Request(f"{url}/api/3.24/serverInfo")
    for _ in range(3):
        try:
            urllib.request.urlopen(req)
        except urllib.error.HTTPError as e:
            c.check("429 says Retry-After", e.code == 429 and e.headers["Retry-After"] == "1", e.headers)
            break
    server.shutdown()

    server, url, log = start(standin, catalog_mod.generate(30, 1), node_limit=25)
    tsc = TSC.Server(url, use_server_version=True)
    tsc.auth.sign_in(TSC.PersonalAccessTokenAuth(NAME, SECRET, site_id="omrun"))
    big = tsc.metadata.query("{ workbooks { luid embeddedDatasources { id } } }")
    c.check("over the node limit: partial data and NODE_LIMIT_EXCEEDED",
            big["errors"][0]["extensions"]["code"] == "NODE_LIMIT_EXCEEDED" and len(big["data"]["workbooks"]) < 30, big.get("errors"))
    server.shutdown()
    print(c.summary())
    return 0
