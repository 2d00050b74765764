#!/usr/bin/env bash
# Runs every test from scratch: Python validators in a project-local venv, the release build
# (which re-emits pipeline.yaml and must leave it unchanged), unit/integration/trybuild tests (S3
# against moto_server, MLflow against `mlflow server`, both on loopback), and
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

step "bubblewrap (the sandbox of the runner's --executor host)"
# Pinned as Debian 12 ships it; the host-executor tests fail (REQUIRE_SERVICES=1) without it.
if ! command -v bwrap >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get install -y --no-install-recommends bubblewrap=0.8.0-2+deb12u1
fi

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
# The S3 and MLflow tests start moto_server and `mlflow server` from .venv on loopback ports (and
# stop them by process group): here they must be there, never skipped.
export MOTO_SERVER="$root/.venv/bin/moto_server" MLFLOW_BIN="$root/.venv/bin/mlflow" REQUIRE_SERVICES=1
# A developer's own tracking server must not receive the test runs.
unset MLFLOW_TRACKING_URI MLFLOW_TRACKING_TOKEN MLFLOW_TRACKING_USERNAME MLFLOW_TRACKING_PASSWORD MLFLOW_EXPERIMENT_NAME
rm -rf "$CONFORMANCE_DIR"
cargo test --release --locked --workspace

step "offline validation of every emitted manifest"
.venv/bin/python scripts/validate_manifests.py pipeline.yaml pipeline-dsl/tests/conformance/snapshots "$CONFORMANCE_DIR"

step "offline validation of deploy/ (Kubernetes schemas, what pipeline.yaml needs)"
.venv/bin/python scripts/validate_deploy.py deploy pipeline.yaml
