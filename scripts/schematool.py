"""What the schema scripts (argo-schema.py, om-schemas.py) share: a pinned PyPI package in a cached
virtualenv, the command line that generates their output there, and the check that a derived schema
is self-contained.

    scripts/SCRIPT.py OUT [--venv DIR] [--force]

does nothing if OUT is up to date; otherwise it makes sure the virtualenv holds the pinned
requirements (recreating it when its marker differs), then runs the script again inside it with
`--inside-venv OUT`, where the script's `generate(out)` imports the package and writes OUT.

Only stdlib imports: a script imports this module both outside and inside its virtualenv (and
om-source-hash.py loads om-schemas.py, so this too, the same way).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, NoReturn, Optional


@dataclass(frozen=True)
class SchemaScript:
    """A schema script: its name, its cached virtualenv and what is installed into it."""

    # The script's name, the prefix of its messages (`argo-schema`).
    tool: str
    # The environment variable that overrides the virtualenv's default location (`OMRUN_ARGO_VENV`).
    venv_env: str
    # The virtualenv's default location, a name under ~/.cache/omrun (`argo-venv`).
    venv_name: str
    # What the virtualenv's marker records: when it differs, the virtualenv is recreated.
    want: str
    # The `pip install` argument lists, run in this order.
    installs: tuple[tuple[str, ...], ...]
    # What the log says is being installed (default: `want`).
    what: str = ""

    def log(self, msg: str) -> None:
        print(f"{self.tool}: {msg}", file=sys.stderr, flush=True)

    def fail(self, msg: str) -> NoReturn:
        sys.exit(f"{self.tool}: error: {msg}")

    def default_venv(self) -> Path:
        if os.environ.get(self.venv_env):
            return Path(os.environ[self.venv_env])
        return Path.home() / ".cache" / "omrun" / self.venv_name

    def ensure_venv(self, venv_dir: Path, adopt: bool = False) -> Path:
        """The virtualenv's python, after creating the virtualenv and installing into it if needed.

        With `adopt`, a virtualenv that has a python but no marker (one set up by hand) is not
        recreated: the installs run into it (pip keeps what already satisfies them, so that takes
        seconds when it is complete), then the marker is written. A marker that names other
        requirements always means recreating."""
        py = venv_dir / "bin" / "python"
        marker = venv_dir / ".omrun-installed"
        if py.exists() and marker.is_file() and marker.read_text().strip() == self.want:
            return py
        if adopt and py.exists() and not marker.exists():
            self.log(f"adopting the virtualenv {venv_dir} (no {marker.name}): installing into it")
        else:
            self.log(f"creating virtualenv {venv_dir}")
            venv_dir.parent.mkdir(parents=True, exist_ok=True)
            try:
                venv.EnvBuilder(with_pip=True, clear=True).create(venv_dir)
            except Exception as e:  # Debian without python3-venv: ensurepip is missing
                self.fail(f"cannot create a virtualenv ({e}); on Debian/Ubuntu: apt-get install -y python3-venv")
        self.log(f"installing {self.what or self.want}")
        pip = [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        for args in self.installs:
            subprocess.run(pip + list(args), check=True)
        marker.write_text(self.want + "\n")
        return py

    def main(
        self,
        *,
        doc: str,
        script: str,
        out_help: str,
        pinned: str,
        up_to_date: Callable[[Path], bool],
        generate: Callable[[Path], None],
        default_out: Optional[Path] = None,
    ) -> None:
        """The script's command line. `doc` is its docstring (the first paragraph is the
        description), `script` its `__file__`, `pinned` the requirement named when up to date;
        with `default_out`, OUT may be left out."""
        ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
        if default_out is None:
            ap.add_argument("out", type=Path, help=out_help)
        else:
            ap.add_argument("out", type=Path, nargs="?", default=default_out, help=out_help)
        ap.add_argument("--venv", type=Path, default=None, help="virtualenv to use (default: "
                        f"${self.venv_env} or ~/.cache/omrun/{self.venv_name})")
        ap.add_argument("--force", action="store_true", help="regenerate even if the output is up to date")
        ap.add_argument("--inside-venv", action="store_true", help=argparse.SUPPRESS)
        args = ap.parse_args()
        out = args.out.resolve()

        if args.inside_venv:
            generate(out)
            return
        if not args.force and up_to_date(out):
            self.log(f"{out} is up to date ({pinned})")
            return
        try:
            py = self.ensure_venv((args.venv or self.default_venv()).resolve())
            subprocess.run([str(py), os.path.abspath(script), "--inside-venv", str(out)], check=True)
        except subprocess.CalledProcessError as e:
            self.fail(f"{' '.join(map(str, e.cmd))} exited with {e.returncode}")

    def check_self_contained(self, doc: dict, key: str, where: str = "") -> None:
        """Exits unless every `$ref` in `doc` names one of its own definitions (`#/KEY/NAME`, NAME a
        key of `doc[KEY]`); the message names the first that does not, after `where` if given."""
        defs = doc.get(key, {})
        prefix = f"#/{key}/"

        def walk(node) -> None:
            if isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str) and (not ref.startswith(prefix) or ref[len(prefix):] not in defs):
                    self.fail(f"{where}: unresolved $ref {ref}" if where else f"unresolved $ref {ref}")
                for v in node.values():
                    walk(v)
            elif isinstance(node, list):
                for v in node:
                    walk(v)

        walk(doc)
