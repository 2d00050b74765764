#!/usr/bin/env bash
# Runs every test from scratch: Python validators in a project-local venv, the release build
# (which re-emits pipeline.yaml and must leave it unchanged), unit/integration/trybuild tests (S3
# against moto_server on loopback), and
# the offline validation of every manifest we emit (Hera models + Argo's full CRD schema) and of
# deploy/ (Kubernetes' schemas via kubernetes-validate, and what pipeline.yaml needs from it).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n==> %s\n' "$*"; }

step "Python tools (.venv)"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r scripts/requirements.txt

step "cargo build --release (writes pipeline.yaml)"
cargo build --release --locked --workspace --all-targets
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1 && git -C "$root" ls-files --error-unmatch pipeline.yaml >/dev/null 2>&1; then
  if ! git -C "$root" diff --quiet -- pipeline.yaml; then
    git -C "$root" --no-pager diff --stat -- pipeline.yaml
    echo "pipeline.yaml is stale: the build changed it. Commit the regenerated file." >&2
    exit 1
  fi
fi

step "cargo test --release"
export CONFORMANCE_DIR="$root/target/conformance"
# The S3 tests start moto_server from .venv on loopback ports (and stop it by pid): here it
# must be there, never skipped.
export MOTO_SERVER="$root/.venv/bin/moto_server" REQUIRE_SERVICES=1
rm -rf "$CONFORMANCE_DIR"
cargo test --release --locked --workspace

step "offline validation of every emitted manifest"
.venv/bin/python scripts/validate_manifests.py pipeline.yaml "$CONFORMANCE_DIR"

step "offline validation of deploy/ (Kubernetes schemas, what pipeline.yaml needs)"
.venv/bin/python scripts/validate_deploy.py deploy pipeline.yaml
