#!/usr/bin/env python3
"""Offline validation of the Argo manifests pipeline-dsl emits.

Usage: validate_manifests.py FILE_OR_DIR...

Every YAML document in the given files (directories are searched for *.yaml / *.yml) goes
through two independent checks:

1. Hera's pydantic models of the Argo API (`hera.workflows.models`: Workflow, WorkflowTemplate,
   CronWorkflow, ClusterWorkflowTemplate), validated with `model_validate(doc, extra="forbid",
   strict=True)`: unknown fields anywhere in the tree are errors (a typo such as `imagePullPolcy`
   fails) and nothing is coerced (`parallelism: "4"` or `value: 5` fail).
2. Argo's full CRD schema, with `validate_crd.py` from the shared Argo folder (`$ARGO_SHARED`,
   default `<repo>/../shared/argo`): `python validate_crd.py CRD_DIR FILE`. When that folder is
   absent the check is skipped with a NOTICE, never silently. The folder has no CronWorkflow CRD,
   so a CronWorkflow's `spec.workflowSpec` is checked as the spec of a Workflow.

Exits 0 when every document passes, 1 when any check fails (each failure names the file, the
document and the field), 2 on usage errors. Install the pinned tools with
`python3 -m venv .venv && .venv/bin/pip install -r scripts/requirements.txt`.
"""

from __future__ import annotations

import copy
import inspect
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = "../shared/argo"

try:
    import yaml
except ImportError:  # pragma: no cover - environment problem
    sys.exit("validate_manifests.py: PyYAML is missing: pip install -r scripts/requirements.txt")

try:
    import pydantic
    from hera.workflows.models import (
        ClusterWorkflowTemplate,
        CronWorkflow,
        Workflow,
        WorkflowTemplate,
    )
except ImportError as e:  # pragma: no cover - environment problem
    sys.exit(f"validate_manifests.py: Hera is missing ({e}): pip install -r scripts/requirements.txt")

MODELS = {
    "Workflow": Workflow,
    "WorkflowTemplate": WorkflowTemplate,
    "CronWorkflow": CronWorkflow,
    "ClusterWorkflowTemplate": ClusterWorkflowTemplate,
}


def hera_version() -> str:
    try:
        from importlib.metadata import version

        return version("hera")
    except Exception:  # pragma: no cover
        return "unknown"


def check_hera_is_strict() -> None:
    """Refuses to run with a Hera/pydantic whose validation would let unknown fields through."""
    params = inspect.signature(Workflow.model_validate).parameters
    if "extra" not in params or "strict" not in params:
        sys.exit(
            "validate_manifests.py: this pydantic "
            f"({pydantic.VERSION}) has no `model_validate(..., extra=, strict=)`; "
            "install the pinned versions: pip install -r scripts/requirements.txt"
        )
    def probe(container_extra: dict, top_extra: dict) -> dict:
        return {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Workflow",
            "metadata": {"generateName": "probe-"},
            "spec": {
                "entrypoint": "main",
                "templates": [{"name": "main", "container": {"image": "x", **container_extra}}],
            },
            **top_extra,
        }

    cases = (
        ("nested unknown field", probe({"imagePullPolcy": "Always"}, {}), "extra_forbidden"),
        ("top-level unknown field", probe({}, {"extraField": 1}), "extra_forbidden"),
        ("number where a string is expected", probe({"image": 5}, {}), "string_type"),
    )
    try:
        Workflow.model_validate(probe({}, {}), extra="forbid", strict=True)
    except pydantic.ValidationError as e:
        sys.exit(f"validate_manifests.py: self-test: a minimal valid Workflow was rejected: {e}")
    for label, doc, expected in cases:
        try:
            Workflow.model_validate(doc, extra="forbid", strict=True)
        except pydantic.ValidationError as e:
            if not any(err["type"] == expected for err in e.errors()):
                sys.exit(f"validate_manifests.py: self-test: unexpected error for a {label}: {e}")
        else:
            sys.exit(
                f"validate_manifests.py: self-test failed: Hera {hera_version()} / pydantic "
                f"{pydantic.VERSION} accepted a {label}; the check would be meaningless"
            )


def location(loc: tuple) -> str:
    """`('spec', 'templates', 2, 'container', 'image')` -> `spec.templates[2].container.image`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "<document>"


def usage_error(message: str) -> None:
    print(f"validate_manifests.py: {message}", file=sys.stderr)
    sys.exit(2)


def collect(args: list[str]) -> list[Path]:
    files: list[Path] = []
    for arg in args:
        path = Path(arg)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
            if not found:
                usage_error(f"{arg}: no .yaml/.yml files in this directory")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            usage_error(f"{arg}: no such file or directory")
    return files


def describe(doc: dict, index: int) -> str:
    meta = doc.get("metadata") or {}
    name = meta.get("name") or meta.get("generateName") or "?"
    return f"doc {index} ({doc.get('kind')} {name})"


def hera_check(path: Path, index: int, doc) -> list[str]:
    if not isinstance(doc, dict):
        return [f"{path}: doc {index}: not a YAML mapping"]
    kind = doc.get("kind")
    model = MODELS.get(kind)
    if model is None:
        return [f"{path}: {describe(doc, index)}: kind: unsupported kind {kind!r} (expected one of {', '.join(MODELS)})"]
    try:
        model.model_validate(doc, extra="forbid", strict=True)
    except pydantic.ValidationError as e:
        return [
            f"{path}: {describe(doc, index)}: {location(err['loc'])}: {err['msg']}"
            + (f" (got {err['input']!r})" if err["type"] != "extra_forbidden" and not isinstance(err.get("input"), (dict, list)) else "")
            for err in e.errors()
        ]
    return []


def shared_argo_dir() -> tuple[Path, str]:
    env = os.environ.get("ARGO_SHARED")
    if env:
        return Path(env), env
    return (REPO / DEFAULT_SHARED).resolve(), DEFAULT_SHARED


def crd_check(validator: Path, crd_dir: Path, path: Path, docs: list) -> tuple[list[str], list[str]]:
    """Runs validate_crd.py on `path`. Returns (failures, notices)."""
    notices: list[str] = []
    target = path
    tmp = None
    has_cron_crd = (crd_dir / "argoproj.io_cronworkflows.yaml").exists()
    if not has_cron_crd and any(isinstance(d, dict) and d.get("kind") == "CronWorkflow" for d in docs):
        # No CronWorkflow CRD to check against: check each CronWorkflow's workflowSpec as the spec
        # of a Workflow (that is what Argo creates from it); Hera checked the envelope.
        rewritten = []
        for d in docs:
            if isinstance(d, dict) and d.get("kind") == "CronWorkflow":
                name = (d.get("metadata") or {}).get("name", "cron")
                rewritten.append(
                    {
                        "apiVersion": d.get("apiVersion", "argoproj.io/v1alpha1"),
                        "kind": "Workflow",
                        "metadata": {"generateName": f"{name}-"},
                        "spec": (d.get("spec") or {}).get("workflowSpec", {}),
                    }
                )
            elif d is not None:
                rewritten.append(d)
        tmp = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
        yaml.safe_dump_all(rewritten, tmp, sort_keys=False)
        tmp.close()
        target = Path(tmp.name)
        notices.append(
            f"NOTICE: {path}: no CronWorkflow CRD in {crd_dir}: its spec.workflowSpec was checked "
            "against the Workflow CRD, the CronWorkflow fields by Hera only"
        )
    try:
        proc = subprocess.run(
            [sys.executable, str(validator), str(crd_dir), str(target)],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        if tmp is not None:
            os.unlink(tmp.name)
    if proc.returncode == 0:
        return [], notices
    shown = f"{path} (CronWorkflow spec.workflowSpec)" if tmp is not None else str(path)
    lines = [line.replace(str(target), shown) for line in (proc.stdout + proc.stderr).splitlines()]
    # Keep the per-field lines; drop validate_crd.py's per-document summaries.
    errors = [
        f"CRD: {line}"
        for line in lines
        if line.strip() and not re.search(r": \w+: (OK|\d+ error\(s\))$", line)
    ]
    return errors or [f"CRD: {shown}: validate_crd.py exited with {proc.returncode}"], notices


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    check_hera_is_strict()
    files = collect(argv)

    shared, shown_shared = shared_argo_dir()
    validator = shared / "validate_crd.py"
    crd_dir = shared / "crds"
    crd = validator.is_file()
    if not crd:
        print(f"NOTICE: {shown_shared} not found: CRD schema check skipped")
    elif not crd_dir.is_dir():
        print(f"validate_manifests.py: {crd_dir}: CRD directory missing next to validate_crd.py", file=sys.stderr)
        return 2

    failures: list[str] = []
    n_docs = 0
    for path in files:
        try:
            with open(path, encoding="utf-8") as f:
                docs = [d for d in yaml.safe_load_all(f) if d is not None]
        except (OSError, yaml.YAMLError) as e:
            failure = f"{path}: not readable YAML: {e}"
            print(failure)
            failures.append(failure)
            continue
        if not docs:
            failure = f"{path}: no YAML documents"
            print(failure)
            failures.append(failure)
            continue
        file_failures: list[str] = []
        for index, doc in enumerate(docs):
            n_docs += 1
            file_failures.extend(hera_check(path, index, doc))
        if crd:
            errors, notices = crd_check(validator, crd_dir, path, docs)
            for notice in notices:
                print(notice)
            file_failures.extend(errors)
        status = "OK" if not file_failures else f"{len(file_failures)} problem(s)"
        print(f"{path}: {len(docs)} doc(s): {status}")
        for failure in file_failures:
            print(f"  {failure}")
        failures.extend(file_failures)

    checks = f"Hera {hera_version()} models (extra=forbid, strict)" + (
        " + Argo full CRD schema" if crd else ""
    )
    if failures:
        print(f"FAILED: {len(failures)} problem(s) in {n_docs} document(s) from {len(files)} file(s) [{checks}]")
        return 1
    print(f"OK: {n_docs} document(s) in {len(files)} file(s) [{checks}]")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
