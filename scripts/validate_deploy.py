#!/usr/bin/env python3
"""Offline validation of `deploy/` (the kustomize bases a user applies) against the workflow.

Usage: validate_deploy.py DEPLOY_DIR PIPELINE_YAML [--kubernetes-version 1.31]

1. Renders every kustomization under DEPLOY_DIR (each directory with a kustomization.yaml) with
   the kustomize subset the files use: `resources` (files and directories), `namespace`,
   `labels[].pairs` (metadata labels only) and `patches` that delete an object
   (`$patch: delete`). Any other kustomization field is an error, so the subset cannot drift
   silently from what `kubectl apply -k` does.
2. Validates every rendered object against Kubernetes' own OpenAPI schemas, offline, with PyPI
   `kubernetes-validate` (which ships them), strict: unknown fields are errors.
3. Checks what the workflow needs from each rendering that creates the service account:
   the service account it names (`spec.serviceAccountName`) with a RoleBinding to a Role that
   grants exactly `create` and `patch` on `workflowtaskresults` (Argo's docs/workflow-rbac.md,
   emissary executor, >= v3.4); the Secrets its steps read (non-optional ones must exist);
   an `artifactRepositoryRef` only to a ConfigMap key the rendering ships; an
   `artifact-repositories` ConfigMap whose annotated default key exists and names Secrets that
   exist.

Exits 0 when everything passes, 1 with one line per problem otherwise.
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

try:
    import yaml
    import kubernetes_validate
except ImportError as e:  # pragma: no cover - environment problem
    sys.exit(f"validate_deploy.py: {e}: pip install -r scripts/requirements.txt")

KNOWN_KUSTOMIZE_FIELDS = {"apiVersion", "kind", "namespace", "labels", "resources", "patches"}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding"}
EXECUTOR_RULE = {"apiGroups": ["argoproj.io"], "resources": ["workflowtaskresults"], "verbs": ["create", "patch"]}
DEFAULT_REPO_ANNOTATION = "workflows.argoproj.io/default-artifact-repository"


def key(obj: dict) -> tuple[str, str]:
    return obj.get("kind", ""), obj.get("metadata", {}).get("name", "")


def render(directory: Path, problems: list[str]) -> list[dict]:
    """The objects `kubectl apply -k directory` would apply."""
    kfile = directory / "kustomization.yaml"
    k = yaml.safe_load(kfile.read_text()) or {}
    for field in sorted(set(k) - KNOWN_KUSTOMIZE_FIELDS):
        problems.append(f"{kfile}: field `{field}` is outside the kustomize subset this check renders")
    objects: list[dict] = []
    for res in k.get("resources", []):
        path = (directory / res).resolve()
        if path.is_dir():
            objects.extend(render(path, problems))
        elif path.is_file():
            objects.extend(d for d in yaml.safe_load_all(path.read_text()) if d)
        else:
            problems.append(f"{kfile}: resource `{res}` does not exist")
    for patch in k.get("patches", []):
        body = yaml.safe_load(patch.get("patch", "")) if isinstance(patch, dict) else None
        if not isinstance(body, dict) or body.get("$patch") != "delete":
            problems.append(f"{kfile}: only `$patch: delete` patches are supported here")
            continue
        target = key(body)
        if not any(key(o) == target for o in objects):
            problems.append(f"{kfile}: patch deletes {target[0]}/{target[1]}, which the resources do not create")
        objects = [o for o in objects if key(o) != target]
    out = []
    for o in objects:
        o = copy.deepcopy(o)
        meta = o.setdefault("metadata", {})
        if "namespace" in k and o.get("kind") not in CLUSTER_SCOPED:
            meta["namespace"] = k["namespace"]
        if o.get("kind") == "Namespace" and "namespace" in k and meta.get("name") != k["namespace"]:
            problems.append(f"{kfile}: Namespace {meta.get('name')} differs from `namespace: {k['namespace']}`")
        for entry in k.get("labels", []):
            meta.setdefault("labels", {}).update(entry.get("pairs", {}))
        out.append(o)
    return out


def check_schema(where: str, objects: list[dict], version: str, problems: list[str]) -> None:
    for o in objects:
        try:
            kubernetes_validate.validate(o, version, strict=True)
        except kubernetes_validate.ValidationError as e:
            problems.append(f"{where}: {'/'.join(key(o))}: {e.message} at {'.'.join(map(str, e.path))}")
        except Exception as e:  # noqa: BLE001 - the library raises several kinds
            problems.append(f"{where}: {'/'.join(key(o))}: {e}")


def secret_refs(workflow: dict):
    """(secret name, key, optional) read by the workflow's containers."""
    for t in workflow.get("spec", {}).get("templates", []):
        for e in (t.get("container") or {}).get("env", []):
            ref = (e.get("valueFrom") or {}).get("secretKeyRef")
            if ref:
                yield ref["name"], ref["key"], bool(ref.get("optional"))


def check_needs(where: str, objects: list[dict], workflow: dict, problems: list[str]) -> None:
    by_kind: dict[str, dict[str, dict]] = {}
    for o in objects:
        by_kind.setdefault(o["kind"], {})[o["metadata"]["name"]] = o
    spec = workflow.get("spec", {})
    sa = spec.get("serviceAccountName")
    if not sa:
        problems.append(f"{where}: the workflow names no service account (pods would run as `default`)")
    elif sa not in by_kind.get("ServiceAccount", {}):
        problems.append(f"{where}: no ServiceAccount `{sa}`, which the workflow runs as")
    else:
        granted = False
        for rb in by_kind.get("RoleBinding", {}).values():
            if not any(s.get("kind") == "ServiceAccount" and s.get("name") == sa for s in rb.get("subjects", [])):
                continue
            role = by_kind.get("Role", {}).get(rb["roleRef"]["name"])
            if role is None:
                problems.append(f"{where}: RoleBinding {rb['metadata']['name']} binds missing Role {rb['roleRef']['name']}")
            elif role.get("rules") != [EXECUTOR_RULE]:
                problems.append(f"{where}: Role {role['metadata']['name']} must grant exactly {EXECUTOR_RULE} (docs/workflow-rbac.md)")
            else:
                granted = True
        if not granted:
            problems.append(f"{where}: ServiceAccount `{sa}` lacks create/patch on workflowtaskresults")
    secrets = by_kind.get("Secret", {})
    for name, k, optional in secret_refs(workflow):
        s = secrets.get(name)
        if s is None and not optional:
            problems.append(f"{where}: the workflow reads Secret `{name}`, which is not created")
        if s is not None and k not in {**s.get("data", {}), **s.get("stringData", {})}:
            problems.append(f"{where}: Secret `{name}` has no key `{k}` the workflow reads")
    ref = spec.get("artifactRepositoryRef")
    cms = by_kind.get("ConfigMap", {})
    if ref:
        cm = cms.get(ref.get("configMap", "artifact-repositories"))
        if cm is None or ref.get("key") not in cm.get("data", {}):
            problems.append(f"{where}: artifactRepositoryRef {ref} names a ConfigMap key this rendering does not ship")
    repo = cms.get("artifact-repositories")
    if repo is not None:
        default = repo["metadata"].get("annotations", {}).get(DEFAULT_REPO_ANNOTATION)
        data = repo.get("data", {})
        if default not in data:
            problems.append(f"{where}: artifact-repositories: annotated default key {default!r} is not in data")
        for k, text in data.items():
            s3 = (yaml.safe_load(text) or {}).get("s3", {})
            for field in ("accessKeySecret", "secretKeySecret"):
                sel = s3.get(field)
                if sel and sel["key"] not in {**secrets.get(sel["name"], {}).get("stringData", {}), **secrets.get(sel["name"], {}).get("data", {})}:
                    problems.append(f"{where}: artifact-repositories/{k}: {field} {sel} does not exist")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("deploy", type=Path)
    ap.add_argument("pipeline", type=Path)
    ap.add_argument("--kubernetes-version", default="1.31")
    args = ap.parse_args()
    workflow = yaml.safe_load(args.pipeline.read_text())
    problems: list[str] = []
    dirs = sorted(p.parent for p in args.deploy.rglob("kustomization.yaml"))
    if not dirs:
        problems.append(f"{args.deploy}: no kustomization.yaml")
    for d in dirs:
        objects = render(d, problems)
        check_schema(str(d), objects, args.kubernetes_version, problems)
        check_needs(str(d), objects, workflow, problems)
        print(f"{d}: {len(objects)} objects rendered and checked")
    for p in problems:
        print(f"FAIL {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
