#!/usr/bin/env bash
# What MLflow tracking adds to a local run (not a test). Starts `mlflow server` from .venv on a
# loopback port (sqlite store, --serve-artifacts), then alternates fresh `titanic run`s without
# and with MLFLOW_TRACKING_URI (no cache: a new artifact directory each time), and prints the
# median wall time of each and their ratio. Usage: bench/tracking.sh [runs per side, default 5]
# Env: CARGO_TARGET_DIR, NO_BUILD=1 to use the binary already built, TITANIC=<path> to time
# another build of the binary (say, one from before a change; implies NO_BUILD).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
runs=${1:-5}
target=${CARGO_TARGET_DIR:-$root/target}
mlflow=${MLFLOW_BIN:-$root/.venv/bin/mlflow}
[ -x "$mlflow" ] || { echo "no $mlflow: run ./scripts/test.sh once (it makes .venv)" >&2; exit 2; }
[ -n "${NO_BUILD:-}${TITANIC:-}" ] || cargo build --release --locked --bin titanic --quiet
titanic=${TITANIC:-$target/release/titanic}

work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill -- "-$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
uri=http://127.0.0.1:$port
MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false setsid "$mlflow" server --host 127.0.0.1 --port "$port" \
  --workers 1 --serve-artifacts --backend-store-uri "sqlite:///$work/mlflow.db" \
  --artifacts-destination "$work/artifacts" >/dev/null 2>&1 &
pid=$!
until curl -fs -o /dev/null "$uri/health"; do sleep 0.5; done

unset MLFLOW_TRACKING_URI MLFLOW_TRACKING_TOKEN MLFLOW_TRACKING_USERNAME MLFLOW_TRACKING_PASSWORD
one() { # label, env...
  local label=$1 t0 t1
  shift
  t0=$(date +%s%N)
  env "$@" "$titanic" run --artifacts "$work/run-$label-$RANDOM$RANDOM" >/dev/null 2>&1
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000)) >>"$work/$label"
}
one warmup # page cache, first burn initialisation
for _ in $(seq "$runs"); do
  one plain
  one tracked MLFLOW_TRACKING_URI="$uri" MLFLOW_EXPERIMENT_NAME=bench
done
median() { sort -n "$work/$1" | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
plain=$(median plain)
tracked=$(median tracked)
echo "titanic run, median of $runs fresh runs each, same machine, alternating:"
echo "  without tracking: ${plain} ms"
echo "  with tracking:    ${tracked} ms (mlflow server 127.0.0.1, sqlite)"
awk -v a="$plain" -v b="$tracked" 'BEGIN { printf "  ratio: %.2fx (+%d ms)\n", b / a, b - a }'
