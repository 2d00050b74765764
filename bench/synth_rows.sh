#!/usr/bin/env bash
# Writes a Kaggle-format training CSV of N rows to stdout, synthesized from train.csv: its rows
# repeated in order, each copy with new PassengerIds (1..N), so ingest's duplicate-id check passes.
#   bench/synth_rows.sh 100000 [train.csv] > rows.csv
set -euo pipefail
n=${1:?usage: synth_rows.sh N [train.csv]}
src=${2:-}
if [ -z "$src" ]; then
  here=$(cd "$(dirname "$0")/.." && pwd)
  for c in "$here/data/titanic/train.csv" "$here/../shared/data/titanic/train.csv" /work/shared/data/titanic/train.csv; do
    if [ -f "$c" ]; then src=$c; break; fi
  done
fi
[ -f "${src:-}" ] || { echo "train.csv not found: pass its path" >&2; exit 1; }
awk -v n="$n" '
  NR == 1 { print; next }
  { rows[++m] = substr($0, index($0, ",") + 1) }
  END { for (i = 1; i <= n; i++) print i "," rows[(i - 1) % m + 1] }
' "$src"
