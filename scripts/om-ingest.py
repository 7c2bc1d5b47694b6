#!/usr/bin/env python3
"""Install OpenMetadata's own ingestion (`metadata ingest`) into a cached virtualenv.

    scripts/om-ingest.py [--venv DIR]     # prints the virtualenv's path on stdout

The end-to-end tests run `metadata ingest` (PyPI openmetadata-ingestion 2.0.7.0 with its postgres,
mysql and mlflow extras; the last brings MLflow's client, mlflow-skinny, which OpenMetadata's MLflow
connector imports) as the oracle of what OpenMetadata's connectors write, against the test databases
and the OpenMetadata stand-in (tests/support/om_ingest.rs). scripts/test.sh runs this once and
exports the printed path as OMRUN_OM_INGEST_VENV; a second run finds the virtualenv's marker and
does nothing.

The virtualenv is `$OMRUN_OM_INGEST_VENV`, else `$HOME/.cache/omrun/om-ingest-venv`. It is not
om-schemas.py's (`om-venv`, which holds the package `--no-deps` to stay small): the full package
with its dependencies is about 640 MB and takes 2-3 minutes to install (139 s here). One pin is needed:
`dbt-core<1.12`, because newer dbt-core pulls dbt-core-experimental-parser, whose build downloads
from GitHub. A virtualenv already installed there by hand (no marker yet) is adopted: the same
requirements are installed into it, which pip finds already satisfied.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import schematool  # noqa: E402  (beside this script)

OM_PACKAGE = "openmetadata-ingestion"
OM_VERSION = "2.0.7.0"
REQUIREMENTS = (f"{OM_PACKAGE}[postgres,mysql,mlflow]=={OM_VERSION}", "dbt-core<1.12")

SCRIPT = schematool.SchemaScript(
    tool="om-ingest",
    venv_env="OMRUN_OM_INGEST_VENV",
    venv_name="om-ingest-venv",
    want=" ".join(REQUIREMENTS),
    installs=(REQUIREMENTS,),
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--venv", type=Path, default=None,
                    help="virtualenv to use (default: $OMRUN_OM_INGEST_VENV or ~/.cache/omrun/om-ingest-venv)")
    args = ap.parse_args()
    venv_dir = (args.venv or SCRIPT.default_venv()).resolve()
    try:
        SCRIPT.ensure_venv(venv_dir, adopt=True)
    except subprocess.CalledProcessError as e:
        SCRIPT.fail(f"{' '.join(map(str, e.cmd))} exited with {e.returncode}")
    metadata = venv_dir / "bin" / "metadata"
    if not metadata.is_file():
        SCRIPT.fail(f"{metadata} is missing after the install")
    print(venv_dir)


if __name__ == "__main__":
    main()
