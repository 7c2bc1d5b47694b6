"""The Power BI stand-in checked by Microsoft's own token client: PyPI msal (the library
OpenMetadata's Power BI connector uses) acquires a token for client credentials from the
stand-in as its authority, served over TLS with a throw-away certificate (msal takes only https
authorities; `instance_discovery=False` keeps it from asking login.microsoftonline.com whether the
authority is known, `verify` trusts the certificate), and requests reads the scanner API with it.

Run by `scripts/powerbi-standin.sh selftest` in a virtualenv with msal and requests; prints one
line per check and `N passed, 0 failed`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path

import msal
import requests

from standin_kit import Checks

TENANT, CLIENT, SECRET = "0f1e2d3c-aaaa-bbbb-cccc-123456789abc", "app-1234", "s3cr~et.value"


def catalog() -> dict:
    workspaces = []
    for w in range(3):
        workspaces.append({
            "id": f"ws-{w}", "name": f"Sales {w}", "state": "Deleted" if w == 2 else "Active",
            "reports": [{"id": f"r-{w}", "name": f"Report {w}", "datasetId": f"ds-{w}",
                         "pages": [{"name": "ReportSection", "displayName": "Page 1", "order": 0}],
                         "users": [{"emailAddress": "a@example.com", "reportUserAccessRight": "Owner",
                                    "userType": "Member", "principalType": "User"}]}],
            "dashboards": [{"id": f"d-{w}", "displayName": f"Dash {w}",
                            "tiles": [{"id": f"t-{w}", "title": "Tile", "reportId": f"r-{w}"}]}],
            "datasets": [{"id": f"ds-{w}", "name": f"Model {w}", "configuredBy": "a@example.com",
                          "tables": [{"name": "orders", "columns": [{"name": "id", "dataType": "Int64"}],
                                      "source": [{"expression": "let Source = Sql.Database(\"h\", \"db\") in Source"}]}],
                          "expressions": []}],
        })
    for w in range(3, 130):
        workspaces.append({"id": f"ws-{w}", "name": f"Empty {w}"})
    return {"tenant": TENANT, "client_id": CLIENT, "client_secret": SECRET, "workspaces": workspaces}


def run(standin) -> int:
    checks = Checks()
    with tempfile.TemporaryDirectory() as tmp:
        cert, key = Path(tmp, "cert.pem"), Path(tmp, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
        args = argparse.Namespace(port=0, log=None, token_ttl=2.0, expires_in=3599, scan_polls=3, rate_limit=0,
                                  latency_ms=0, page_size=standin.DEFAULT_PAGE_SIZE, flaky_every=0,
                                  tls_cert=str(cert), tls_key=str(key))
        # requests prefers REQUESTS_CA_BUNDLE (set on many machines) to a session's `verify`.
        os.environ["REQUESTS_CA_BUNDLE"] = os.environ["CURL_CA_BUNDLE"] = str(cert)
        server = standin.start(catalog(), args)
        base = server.base
        authority = f"{base}/{TENANT}"

        app = msal.ConfidentialClientApplication(CLIENT, client_credential=SECRET, authority=authority,
                                                 instance_discovery=False, verify=str(cert))
        got = app.acquire_token_for_client(scopes=[standin.SCOPE])
        checks.check("msal reads the tenant's OpenID configuration and gets a token",
                     "access_token" in got and got.get("token_type") == "Bearer", got)
        checks.check("the token says how long it lives", got.get("expires_in", 0) > 3000, got)
        token = got["access_token"]

        bad = msal.ConfidentialClientApplication(CLIENT, client_credential="the-secret-id", authority=authority,
                                                 instance_discovery=False, verify=str(cert))
        refused = bad.acquire_token_for_client(scopes=[standin.SCOPE])
        checks.check("a wrong secret is refused as Entra ID does (AADSTS7000215)",
                     refused.get("error") == "invalid_client" and refused.get("error_codes") == [7000215]
                     and "AADSTS7000215" in refused.get("error_description", ""), refused)
        other = msal.ConfidentialClientApplication("nobody", client_credential=SECRET, authority=authority,
                                                   instance_discovery=False, verify=str(cert))
        refused = other.acquire_token_for_client(scopes=[standin.SCOPE])
        checks.check("an unknown application is refused (AADSTS700016)",
                     refused.get("error_codes") == [700016], refused)
        refused = app.acquire_token_for_client(scopes=["https://graph.microsoft.com/.default"])
        checks.check("another API's scope is refused (AADSTS70011)", refused.get("error_codes") == [70011], refused)
        try:
            msal.ConfidentialClientApplication(CLIENT, client_credential=SECRET, authority=f"{base}/other-tenant",
                                               instance_discovery=False, verify=str(cert))
            checks.check("an unknown tenant is refused", False, "msal accepted it")
        except ValueError as e:
            checks.check("an unknown tenant is refused", "other-tenant" in str(e) or "90002" in str(e), e)

        api = f"{base}/v1.0/myorg"
        s = requests.Session()
        s.verify = str(cert)
        auth = {"Authorization": f"Bearer {token}"}
        r = s.get(f"{api}/admin/groups", params={"$top": "100", "$skip": "0"}, headers=auth)
        body = r.json()
        checks.check("admin groups: a page and the count", r.status_code == 200 and body["@odata.count"] == 130
                     and len(body["value"]) == 100 and set(body) == {"@odata.context", "@odata.count", "value"},
                     (r.status_code, list(body)))
        r = s.get(f"{api}/admin/groups", params={"$top": "100", "$skip": "100"}, headers=auth)
        checks.check("admin groups: the last page", len(r.json()["value"]) == 30, r.text[:200])
        r = s.get(f"{api}/admin/groups", headers=auth)
        checks.check("admin groups without $top: 400", r.status_code == 400, r.text)
        r = s.get(f"{api}/admin/groups", params={"$top": "10", "$filter": "startswith(name, 'Sales') and "
                                                                            "not(endswith(name, '1'))"}, headers=auth)
        checks.check("admin groups: OpenMetadata's OData filters",
                     [g["name"] for g in r.json()["value"]] == ["Sales 0", "Sales 2"], r.text[:300])
        r = s.get(f"{api}/admin/groups", params={"$top": "1"})
        checks.check("no bearer: 401", r.status_code == 401 and r.json()["error"]["code"] ==
                     "PowerBINotAuthorizedException" and "WWW-Authenticate" in r.headers, r.text)

        ids = [f"ws-{w}" for w in range(101)]
        r = s.post(f"{api}/admin/workspaces/getInfo", json={"workspaces": ids}, headers=auth)
        checks.check("getInfo with 101 workspaces: 400", r.status_code == 400, r.text)
        flags = {"datasetExpressions": "True", "datasetSchema": "True", "datasourceDetails": "True",
                 "getArtifactUsers": "True", "lineage": "True"}
        r = s.post(f"{api}/admin/workspaces/getInfo", params=flags, json={"workspaces": ids[:100]}, headers=auth)
        scan = r.json()
        checks.check("getInfo: 202 and a scan id", r.status_code == 202 and scan["status"] == "NotStarted", r.text)
        early = s.get(f"{api}/admin/workspaces/scanResult/{scan['id']}", headers=auth)
        checks.check("the result of a running scan: 400", early.status_code == 400, early.text)
        statuses = [s.get(f"{api}/admin/workspaces/scanStatus/{scan['id']}", headers=auth).json()["status"]
                    for _ in range(3)]
        checks.check("the scan takes a few polls", statuses == ["NotStarted", "Running", "Succeeded"], statuses)
        result = s.get(f"{api}/admin/workspaces/scanResult/{scan['id']}", headers=auth).json()
        ws0 = result["workspaces"][0]
        checks.check("the scan result: every workspace asked for, with its state",
                     len(result["workspaces"]) == 100 and result["workspaces"][2]["state"] == "Deleted", ws0)
        checks.check("reports with users, no pages", ws0["reports"][0]["users"][0]["emailAddress"] == "a@example.com"
                     and "pages" not in ws0["reports"][0], ws0["reports"])
        checks.check("dashboards with tiles", ws0["dashboards"][0]["tiles"][0]["reportId"] == "r-0", ws0)
        checks.check("datasets with tables, columns and sources",
                     ws0["datasets"][0]["tables"][0]["source"][0]["expression"].startswith("let"), ws0["datasets"])
        r = s.post(f"{api}/admin/workspaces/getInfo", json={"workspaces": ["ws-0"]}, headers=auth)
        sid = r.json()["id"]
        for _ in range(3):
            s.get(f"{api}/admin/workspaces/scanStatus/{sid}", headers=auth)
        bare = s.get(f"{api}/admin/workspaces/scanResult/{sid}", headers=auth).json()["workspaces"][0]
        checks.check("without the flags: no users, no schema", "users" not in bare["reports"][0]
                     and "tables" not in bare["datasets"][0], bare)
        r = s.get(f"{api}/groups/ws-0/reports/r-0/pages", headers=auth)
        checks.check("report pages (non-admin API)", r.json()["value"][0]["name"] == "ReportSection", r.text)

        time.sleep(2.2)
        r = s.get(f"{api}/admin/groups", params={"$top": "1"}, headers=auth)
        checks.check("an expired token: 401 TokenExpired", r.status_code == 401
                     and r.json()["error"]["code"] == "TokenExpired", r.text)
        again = app.acquire_token_for_client(scopes=[standin.SCOPE])
        checks.check("msal hands out its cached token until it says it expires",
                     again.get("access_token") == token, again.get("token_source"))
        server.shutdown()
    print(checks.summary(), flush=True)
    return 0
