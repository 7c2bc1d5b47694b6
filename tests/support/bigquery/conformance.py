"""Does a JSON answer fit Google's published schema? The discovery documents that PyPI
google-api-python-client ships (googleapiclient/discovery_cache/documents/*.json, Google's own
description of each REST API) say every field a resource may have and its JSON type: a field
Google does not document, a number where an int64 string belongs, a wrong enum value is a
mismatch. Used by the selftest, on every kind of answer the stand-in gives.
"""

from __future__ import annotations

import datetime
import json
import os
import re

import googleapiclient


def discovery(name: str) -> dict:
    """A packaged discovery document, e.g. `bigquery.v2`."""
    path = os.path.join(os.path.dirname(googleapiclient.__file__), "discovery_cache", "documents", f"{name}.json")
    with open(path) as f:
        return json.load(f)


class Schema:
    def __init__(self, document: dict):
        self.document = document
        self.schemas = document["schemas"]

    def response_of(self, *path: str) -> str:
        """The response schema's name of a method, e.g. ("datasets", "list") → "DatasetList"."""
        node = self.document
        for resource in path[:-1]:
            node = node["resources"][resource]
        return node["methods"][path[-1]]["response"]["$ref"]

    def mismatches(self, value, schema_name: str) -> list[str]:
        problems: list[str] = []
        self._check(value, {"$ref": schema_name}, schema_name, problems)
        return problems

    def _check(self, value, schema: dict, where: str, problems: list[str]):
        if "$ref" in schema:
            schema = self.schemas[schema["$ref"]]
        kind = schema.get("type")
        if kind == "object":
            if not isinstance(value, dict):
                problems.append(f"{where}: an object in Google's schema, not {value!r}")
                return
            properties = schema.get("properties", {})
            extra = schema.get("additionalProperties")
            for key, item in value.items():
                if key in properties:
                    self._check(item, properties[key], f"{where}.{key}", problems)
                elif extra is not None:
                    self._check(item, extra, f"{where}[{key!r}]", problems)
                else:
                    problems.append(f"{where}.{key}: not a field of Google's schema")
        elif kind == "array":
            if not isinstance(value, list):
                problems.append(f"{where}: an array in Google's schema, not {value!r}")
                return
            for i, item in enumerate(value):
                self._check(item, schema["items"], f"{where}[{i}]", problems)
        elif kind == "string":
            if not isinstance(value, str):
                problems.append(f"{where}: a string in Google's schema, not {value!r}")
            elif schema.get("format") in ("int64", "uint64") and not re.fullmatch(r"-?\d+", value):
                problems.append(f"{where}: an {schema['format']} string, not {value!r}")
            elif schema.get("format") == "google-datetime" and not _rfc3339(value):
                problems.append(f"{where}: an RFC 3339 time, not {value!r}")
            elif "enum" in schema and value not in schema["enum"]:
                problems.append(f"{where}: {value!r} is none of {schema['enum']}")
        elif kind == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                problems.append(f"{where}: an integer in Google's schema, not {value!r}")
        elif kind == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                problems.append(f"{where}: a number in Google's schema, not {value!r}")
        elif kind == "boolean":
            if not isinstance(value, bool):
                problems.append(f"{where}: a boolean in Google's schema, not {value!r}")


def _rfc3339(text: str) -> bool:
    try:
        datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        return True
    except ValueError:
        return False
