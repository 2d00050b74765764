#!/usr/bin/env python3
"""Writes pipeline-remote/tests/data/argo-swagger-subset.json: the definitions of Argo's
swagger (api/openapi-spec/swagger.json) reachable from the Argo Server calls `titanic submit`
makes, descriptions removed. The stand-in server of pipeline-remote/tests/argo_submit.rs checks
request bodies against them.

Usage: argo_swagger_subset.py SWAGGER_JSON OUT_JSON
"""
import json
import sys

ROOTS = [
    "io.argoproj.workflow.v1alpha1.WorkflowCreateRequest",
    "io.argoproj.workflow.v1alpha1.WorkflowSubmitRequest",
    "io.argoproj.workflow.v1alpha1.WorkflowWatchEvent",
    "io.argoproj.workflow.v1alpha1.LogEntry",
    "grpc.gateway.runtime.Error",
    "grpc.gateway.runtime.StreamError",
]


def main() -> None:
    swagger = json.load(open(sys.argv[1]))
    defs = swagger["definitions"]
    seen: set[str] = set()

    def walk(x):
        if isinstance(x, dict):
            for k, v in x.items():
                if k == "$ref":
                    name = v.split("/")[-1]
                    if name not in seen:
                        seen.add(name)
                        walk(defs[name])
                else:
                    walk(v)
        elif isinstance(x, list):
            for i in x:
                walk(i)

    for root in ROOTS:
        seen.add(root)
        walk(defs[root])

    def strip(x):
        if isinstance(x, dict):
            return {k: strip(v) for k, v in x.items() if k not in ("description", "title")}
        if isinstance(x, list):
            return [strip(i) for i in x]
        return x

    out = {
        "source": "argoproj/argo-workflows api/openapi-spec/swagger.json at f016ad89eb (v4.1.2): "
        "definitions reachable from " + ", ".join(ROOTS) + "; descriptions removed",
        "definitions": strip({k: defs[k] for k in sorted(seen)}),
    }
    with open(sys.argv[2], "w") as f:
        json.dump(out, f, separators=(",", ":"), sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
