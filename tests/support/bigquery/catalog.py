"""What the BigQuery stand-in serves, from the test's spec: BigQuery's Dataset and Table resources
(REST API v2) and Data Catalog's taxonomies and policy tags (API v1), in the shapes of Google's
discovery documents (bigquery.v2.json, datacatalog.v1.json; standin.py says which fields).

The spec is checked when the stand-in starts: an unknown key, a malformed name or a value of the
wrong kind stops it with the key's path, so a typo in a test never turns into a silently missing
field.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import re

CREATED_MS = "1760000000000"  # 2025-10-09, a fixed time so answers are the same run after run

# The Table resource fields a spec may give (the rest — kind, id, etag, selfLink, tableReference,
# location — the stand-in derives). Google's `type` spellings: bigquery.v2.json, Table.type.
TABLE_KEYS = {
    "description", "friendlyName", "labels", "type", "schema", "view", "materializedView",
    "timePartitioning", "rangePartitioning", "clustering", "tableConstraints",
    "externalDataConfiguration", "snapshotDefinition", "cloneDefinition", "numRows", "numBytes",
    "numLongTermBytes", "creationTime", "lastModifiedTime", "expirationTime",
    "requirePartitionFilter",
}
TABLE_TYPES = {"TABLE", "VIEW", "MATERIALIZED_VIEW", "EXTERNAL", "SNAPSHOT"}
DATASET_KEYS = {"description", "friendlyName", "labels", "location", "defaultTableExpirationMs",
                "creationTime", "lastModifiedTime", "tables"}
# TableFieldSchema.type: "STRING, BYTES, INTEGER (or INT64), FLOAT (or FLOAT64), BOOLEAN (or
# BOOL), TIMESTAMP, DATE, TIME, DATETIME, GEOGRAPHY, NUMERIC, BIGNUMERIC, JSON, RECORD (or STRUCT),
# RANGE" (bigquery.v2.json); INTERVAL is in the standard SQL type list the client knows too.
FIELD_TYPES = {"STRING", "BYTES", "INTEGER", "INT64", "FLOAT", "FLOAT64", "BOOLEAN", "BOOL",
               "TIMESTAMP", "DATE", "TIME", "DATETIME", "GEOGRAPHY", "NUMERIC", "BIGNUMERIC",
               "JSON", "RECORD", "STRUCT", "RANGE", "INTERVAL"}
FIELD_KEYS = {"name", "type", "mode", "description", "fields", "policyTags", "maxLength",
              "precision", "scale", "roundingMode", "collation", "defaultValueExpression",
              "rangeElementType"}
MODES = {"NULLABLE", "REQUIRED", "REPEATED"}
TAXONOMY_NAME = re.compile(r"projects/([^/]+)/locations/([^/]+)/taxonomies/([^/]+)")
POLICY_TAG_NAME = re.compile(r"(projects/[^/]+/locations/[^/]+/taxonomies/[^/]+)/policyTags/([^/]+)")


class SpecError(Exception):
    pass


def int64(value, where: str) -> str:
    """An int64 as the API writes it: a decimal string (JSON numbers are not exact past 2^53)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not re.fullmatch(r"-?\d+", str(value)):
        raise SpecError(f"{where}: an integer (or its decimal string), not {value!r}")
    return str(int(value))


def known_keys(obj, allowed: set, where: str) -> dict:
    if not isinstance(obj, dict):
        raise SpecError(f"{where}: an object, not {obj!r}")
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise SpecError(f"{where}: unknown key(s) {unknown}; known: {sorted(allowed)}")
    return obj


def etag(resource: dict) -> str:
    return base64.b64encode(hashlib.sha256(json.dumps(resource, sort_keys=True).encode()).digest()[:12]).decode()


# ---- tables -----------------------------------------------------------------------------------------


def field_schema(f: dict, where: str) -> dict:
    """A TableFieldSchema as tables.get answers it: `mode` always written (NULLABLE by default),
    int64s as strings, nested `fields` for RECORD/STRUCT."""
    known_keys(f, FIELD_KEYS, where)
    name, ftype = f.get("name"), f.get("type")
    if not isinstance(name, str) or not name:
        raise SpecError(f"{where}: a field needs a name")
    if ftype not in FIELD_TYPES:
        raise SpecError(f"{where}.type: {ftype!r} is not a BigQuery type ({sorted(FIELD_TYPES)})")
    out = {"name": name, "type": ftype, "mode": f.get("mode", "NULLABLE")}
    if out["mode"] not in MODES:
        raise SpecError(f"{where}.mode: {out['mode']!r} (NULLABLE, REQUIRED, REPEATED)")
    for key in ("maxLength", "precision", "scale"):
        if key in f:
            out[key] = int64(f[key], f"{where}.{key}")
    for key in ("description", "defaultValueExpression", "collation", "roundingMode"):
        if f.get(key) is not None:
            out[key] = f[key]
    if "rangeElementType" in f:
        out["rangeElementType"] = known_keys(f["rangeElementType"], {"type"}, f"{where}.rangeElementType")
    if "policyTags" in f:
        tags = known_keys(f["policyTags"], {"names"}, f"{where}.policyTags")
        names = tags.get("names", [])
        if not all(isinstance(n, str) and POLICY_TAG_NAME.fullmatch(n) for n in names):
            raise SpecError(f"{where}.policyTags.names: projects/P/locations/L/taxonomies/T/policyTags/ID each")
        out["policyTags"] = {"names": list(names)}
    nested = f.get("fields")
    if ftype in ("RECORD", "STRUCT"):
        if not nested:
            raise SpecError(f"{where}: a {ftype} field needs its nested fields")
        out["fields"] = [field_schema(c, f"{where}.fields[{i}]") for i, c in enumerate(nested)]
    elif nested:
        raise SpecError(f"{where}: only RECORD/STRUCT fields have nested fields")
    return out


def table_resource(project: str, dataset: str, table_id: str, spec: dict, location: str) -> dict:
    """The full Table resource (tables.get) of a spec table; `selfLink` is filled in per request."""
    where = f"projects.{project}.datasets.{dataset}.tables.{table_id}"
    t = known_keys({k: v for k, v in spec.items() if k != "vanished"}, TABLE_KEYS, where)
    ttype = t.get("type", "TABLE")
    if ttype not in TABLE_TYPES:
        raise SpecError(f"{where}.type: {ttype!r} ({sorted(TABLE_TYPES)})")
    out = {
        "kind": "bigquery#table",
        "id": f"{project}:{dataset}.{table_id}",
        "tableReference": {"projectId": project, "datasetId": dataset, "tableId": table_id},
        "type": ttype,
        "location": location,
        "creationTime": int64(t.get("creationTime", CREATED_MS), f"{where}.creationTime"),
        "lastModifiedTime": int64(t.get("lastModifiedTime", t.get("creationTime", CREATED_MS)),
                                  f"{where}.lastModifiedTime"),
    }
    for key in ("description", "friendlyName", "requirePartitionFilter"):
        if t.get(key) is not None:
            out[key] = t[key]
    if t.get("labels"):
        out["labels"] = dict(t["labels"])
    fields = known_keys(t.get("schema", {"fields": []}), {"fields"}, f"{where}.schema").get("fields", [])
    out["schema"] = {"fields": [field_schema(f, f"{where}.schema.fields[{i}]") for i, f in enumerate(fields)]}
    # Storage statistics: what BigQuery reports for every table, 0 where nothing is stored (views).
    for key in ("numRows", "numBytes", "numLongTermBytes"):
        out[key] = int64(t.get(key, 0), f"{where}.{key}")
    if "expirationTime" in t:
        out["expirationTime"] = int64(t["expirationTime"], f"{where}.expirationTime")
    if ttype == "VIEW":
        view = known_keys(t.get("view"), {"query", "useLegacySql"}, f"{where}.view")
        out["view"] = {"query": view["query"], "useLegacySql": view.get("useLegacySql", False)}
    elif "view" in t:
        raise SpecError(f"{where}.view: only a VIEW has one")
    if ttype == "MATERIALIZED_VIEW":
        mv = known_keys(t.get("materializedView"), {"query", "enableRefresh", "refreshIntervalMs",
                                                     "lastRefreshTime"}, f"{where}.materializedView")
        out["materializedView"] = {
            "query": mv["query"], "enableRefresh": mv.get("enableRefresh", True),
            "refreshIntervalMs": int64(mv.get("refreshIntervalMs", 1800000), f"{where}.materializedView"),
            "lastRefreshTime": int64(mv.get("lastRefreshTime", out["lastModifiedTime"]), f"{where}.materializedView"),
        }
    elif "materializedView" in t:
        raise SpecError(f"{where}.materializedView: only a MATERIALIZED_VIEW has one")
    if "timePartitioning" in t:
        tp = known_keys(t["timePartitioning"], {"type", "field", "expirationMs", "requirePartitionFilter"},
                        f"{where}.timePartitioning")
        if tp.get("type") not in ("DAY", "HOUR", "MONTH", "YEAR"):
            raise SpecError(f"{where}.timePartitioning.type: DAY, HOUR, MONTH or YEAR")
        out["timePartitioning"] = dict(tp)
        if "expirationMs" in tp:
            out["timePartitioning"]["expirationMs"] = int64(tp["expirationMs"], f"{where}.timePartitioning.expirationMs")
    if "rangePartitioning" in t:
        rp = known_keys(t["rangePartitioning"], {"field", "range"}, f"{where}.rangePartitioning")
        rng = known_keys(rp.get("range"), {"start", "end", "interval"}, f"{where}.rangePartitioning.range")
        out["rangePartitioning"] = {"field": rp["field"], "range": {
            k: int64(rng[k], f"{where}.rangePartitioning.range.{k}") for k in ("start", "end", "interval")}}
    if "clustering" in t:
        out["clustering"] = {"fields": list(known_keys(t["clustering"], {"fields"}, f"{where}.clustering")["fields"])}
    if "tableConstraints" in t:
        out["tableConstraints"] = constraints(t["tableConstraints"], out["schema"]["fields"], f"{where}.tableConstraints")
    if ttype == "EXTERNAL":
        out["externalDataConfiguration"] = external(t.get("externalDataConfiguration"), f"{where}.externalDataConfiguration")
    elif "externalDataConfiguration" in t:
        raise SpecError(f"{where}.externalDataConfiguration: only an EXTERNAL table has one")
    for key in ("snapshotDefinition", "cloneDefinition"):
        if key in t:
            out[key] = copy_definition(t[key], f"{where}.{key}")
    out["etag"] = etag(out)
    return out


def constraints(c: dict, fields: list, where: str) -> dict:
    known_keys(c, {"primaryKey", "foreignKeys"}, where)
    columns = {f["name"] for f in fields}
    out = {}
    if "primaryKey" in c:
        pk = known_keys(c["primaryKey"], {"columns"}, f"{where}.primaryKey")["columns"]
        if not set(pk) <= columns:
            raise SpecError(f"{where}.primaryKey.columns: {pk} not all in the schema")
        out["primaryKey"] = {"columns": list(pk)}
    if "foreignKeys" in c:
        out["foreignKeys"] = []
        for i, fk in enumerate(c["foreignKeys"]):
            w = f"{where}.foreignKeys[{i}]"
            known_keys(fk, {"name", "referencedTable", "columnReferences"}, w)
            ref = known_keys(fk["referencedTable"], {"projectId", "datasetId", "tableId"}, f"{w}.referencedTable")
            refs = [known_keys(r, {"referencingColumn", "referencedColumn"}, f"{w}.columnReferences")
                    for r in fk["columnReferences"]]
            if not all(r["referencingColumn"] in columns for r in refs):
                raise SpecError(f"{w}.columnReferences: a referencingColumn not in the schema")
            entry = {"referencedTable": dict(ref), "columnReferences": [dict(r) for r in refs]}
            if fk.get("name"):
                entry = {"name": fk["name"], **entry}
            out["foreignKeys"].append(entry)
    return out


def external(e, where: str) -> dict:
    e = known_keys(e, {"sourceFormat", "sourceUris", "hivePartitioningOptions", "autodetect"}, where)
    out = {"sourceFormat": e["sourceFormat"], "sourceUris": list(e["sourceUris"])}
    if "autodetect" in e:
        out["autodetect"] = e["autodetect"]
    if "hivePartitioningOptions" in e:
        out["hivePartitioningOptions"] = dict(known_keys(
            e["hivePartitioningOptions"], {"mode", "sourceUriPrefix", "requirePartitionFilter", "fields"},
            f"{where}.hivePartitioningOptions"))
    return out


def copy_definition(d, where: str) -> dict:
    """snapshotDefinition / cloneDefinition: the base table and when it was copied, an RFC 3339
    time with its fraction of a second always written (google-cloud-bigquery's parser,
    `_rfc3339_to_datetime`, requires one)."""
    d = known_keys(d, {"baseTableReference", "snapshotTime", "cloneTime"}, where)
    out = {"baseTableReference": dict(known_keys(d["baseTableReference"], {"projectId", "datasetId", "tableId"},
                                                 f"{where}.baseTableReference"))}
    for key in ("snapshotTime", "cloneTime"):
        if key in d:
            try:
                t = datetime.datetime.fromisoformat(d[key].replace("Z", "+00:00")).astimezone(datetime.timezone.utc)
            except (AttributeError, ValueError):
                raise SpecError(f"{where}.{key}: an RFC 3339 time, not {d[key]!r}")
            out[key] = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
    return out


def list_entry(table: dict) -> dict:
    """A table as tables.list shows it (bigquery.v2.json, TableList.tables): no schema, no
    statistics, a view's dialect but not its query."""
    entry = {k: table[k] for k in ("kind", "id", "tableReference", "type", "friendlyName", "labels",
                                   "timePartitioning", "rangePartitioning", "clustering",
                                   "creationTime", "expirationTime", "requirePartitionFilter") if k in table}
    if "view" in table:
        entry["view"] = {"useLegacySql": table["view"]["useLegacySql"]}
    return entry


# ---- datasets ---------------------------------------------------------------------------------------


class Catalog:
    def __init__(self, spec: dict):
        known_keys(spec, {"projects", "taxonomies"}, "spec")
        self.datasets: dict[tuple[str, str], dict] = {}  # (project, dataset) → Dataset resource
        self.denied: set[tuple[str, str]] = set()
        self.tables: dict[tuple[str, str], dict[str, dict]] = {}  # (project, dataset) → id → Table
        self.vanished: set[tuple[str, str, str]] = set()
        self.projects = sorted(spec.get("projects", {}))
        for project, p in sorted(spec.get("projects", {}).items()):
            known_keys(p, {"datasets"}, f"projects.{project}")
            for dataset, d in sorted((p.get("datasets") or {}).items()):
                self.add_dataset(project, dataset, d)
        self.taxonomies, self.policy_tags = taxonomies(spec.get("taxonomies") or {})

    def add_dataset(self, project: str, dataset: str, d: dict):
        where = f"projects.{project}.datasets.{dataset}"
        d = dict(d)
        if d.pop("denied", False):
            self.denied.add((project, dataset))
        known_keys(d, DATASET_KEYS, where)
        location = d.get("location", "US")
        ds = {
            "kind": "bigquery#dataset",
            "id": f"{project}:{dataset}",
            "datasetReference": {"datasetId": dataset, "projectId": project},
            "location": location,
            "type": "DEFAULT",
            "creationTime": int64(d.get("creationTime", CREATED_MS), f"{where}.creationTime"),
            "lastModifiedTime": int64(d.get("lastModifiedTime", d.get("creationTime", CREATED_MS)),
                                      f"{where}.lastModifiedTime"),
            # The default access of a new dataset: the project's roles (BigQuery's docs, "Dataset
            # access": projectOwners, projectWriters, projectReaders).
            "access": [{"role": "WRITER", "specialGroup": "projectWriters"},
                       {"role": "OWNER", "specialGroup": "projectOwners"},
                       {"role": "READER", "specialGroup": "projectReaders"}],
        }
        for key in ("description", "friendlyName"):
            if d.get(key) is not None:
                ds[key] = d[key]
        if d.get("labels"):
            ds["labels"] = dict(d["labels"])
        if "defaultTableExpirationMs" in d:
            ds["defaultTableExpirationMs"] = int64(d["defaultTableExpirationMs"], f"{where}.defaultTableExpirationMs")
        ds["etag"] = etag(ds)
        self.datasets[(project, dataset)] = ds
        tables = {}
        for table_id, t in sorted((d.get("tables") or {}).items()):
            tables[table_id] = table_resource(project, dataset, table_id, t, location)
            if t.get("vanished"):
                self.vanished.add((project, dataset, table_id))
        self.tables[(project, dataset)] = tables

    def datasets_of(self, project: str) -> list[dict]:
        return [ds for (p, _), ds in self.datasets.items() if p == project]


def dataset_list_entry(ds: dict) -> dict:
    """A dataset as datasets.list shows it (bigquery.v2.json, DatasetList.datasets)."""
    return {k: ds[k] for k in ("kind", "id", "datasetReference", "labels", "friendlyName", "location",
                               "type") if k in ds}


def label_filter(expression: str | None):
    """datasets.list's `filter`: `labels.KEY` or `labels.KEY:VALUE` terms, space-separated, all of
    which must hold (bigquery.v2.json, datasets.list; "Filtering datasets using labels")."""
    if not expression:
        return lambda ds: True
    terms = []
    for term in expression.split():
        if not term.startswith("labels."):
            raise ValueError(f"Invalid filter: {term}")
        key, sep, value = term[len("labels."):].partition(":")
        terms.append((key, value if sep else None))

    def keep(ds: dict) -> bool:
        labels = ds.get("labels", {})
        return all(k in labels and (v is None or labels[k] == v) for k, v in terms)

    return keep


# ---- Data Catalog -----------------------------------------------------------------------------------


def taxonomies(spec: dict) -> tuple[dict, dict]:
    """Taxonomy and PolicyTag resources (datacatalog.v1.json, GoogleCloudDatacatalogV1Taxonomy and
    …PolicyTag) by resource name."""
    taxa, tags = {}, {}
    for name, t in sorted(spec.items()):
        where = f"taxonomies.{name}"
        if not TAXONOMY_NAME.fullmatch(name):
            raise SpecError(f"{where}: a taxonomy's name is projects/P/locations/L/taxonomies/ID")
        known_keys(t, {"displayName", "description", "activatedPolicyTypes", "policyTags"}, where)
        own = {}
        for tag_name, pt in sorted((t.get("policyTags") or {}).items()):
            w = f"{where}.policyTags.{tag_name}"
            m = POLICY_TAG_NAME.fullmatch(tag_name)
            if not m or m.group(1) != name:
                raise SpecError(f"{w}: a policy tag's name is {name}/policyTags/ID")
            known_keys(pt, {"displayName", "description", "parentPolicyTag"}, w)
            tag = {"name": tag_name, "displayName": pt["displayName"]}
            if pt.get("description"):
                tag["description"] = pt["description"]
            if pt.get("parentPolicyTag"):
                tag["parentPolicyTag"] = pt["parentPolicyTag"]
            own[tag_name] = tag
        for tag in own.values():
            parent = tag.get("parentPolicyTag")
            if parent and parent not in own:
                raise SpecError(f"{where}.policyTags.{tag['name']}.parentPolicyTag: {parent} is not in this taxonomy")
        for tag in own.values():
            children = sorted(c["name"] for c in own.values() if c.get("parentPolicyTag") == tag["name"])
            if children:
                tag["childPolicyTags"] = children
        taxonomy = {"name": name, "displayName": t["displayName"]}
        if t.get("description"):
            taxonomy["description"] = t["description"]
        taxonomy["policyTagCount"] = len(own)
        taxonomy["taxonomyTimestamps"] = {"createTime": "2025-10-09T09:06:40Z", "updateTime": "2025-10-09T09:06:40Z"}
        taxonomy["activatedPolicyTypes"] = t.get("activatedPolicyTypes", ["FINE_GRAINED_ACCESS_CONTROL"])
        taxa[name] = taxonomy
        tags.update(own)
    return taxa, tags
