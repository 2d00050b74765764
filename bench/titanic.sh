#!/usr/bin/env bash
# Titanic benchmarks (not tests): out-of-fold quality over five fold seeds (twice, to show the
# numbers are identical), training time for all folds, and whole-pipeline wall time with a warm
# binary (cold steps vs. every step cached).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --workspace --all-targets --quiet

echo "== honest CV (fold seeds 1..5) and Kaggle-like held-out third, all vs demo fields =="
a=$(cargo run --release --quiet --example oof)
echo "$a"
echo "== again, to check determinism =="
b=$(cargo run --release --quiet --example oof)
strip() { sed -E 's/[0-9.]+ s//g'; }
if [ "$(echo "$a" | strip)" = "$(echo "$b" | strip)" ]; then echo "identical metrics across two runs: yes"; else echo "identical metrics across two runs: NO"; echo "$b"; fi
echo "== demo baseline features, for scale =="
cargo run --release --quiet --example oof -- baseline | grep -E "^(CV|held-out) mlp"

echo "== whole pipeline, warm binary (titanic run): its figures, then wall times =="
art=$(mktemp -d)
trap 'rm -rf "$art"' EXIT
bin="${CARGO_TARGET_DIR:-target}/release/titanic"
# warm (page cache, binary digest); its metrics are the pipeline's own validation: repeated CV
# on the development part (mean/sd over fold seeds) and the held-out part scored once.
"$bin" run --artifacts "$art" 2>/dev/null | grep -E "^  (cv-|held-out-|accuracy |roc-auc |brier )"
for i in 1 2 3; do
  s=$(date +%s.%N); "$bin" run --artifacts "$art" --no-cache >/dev/null 2>&1; e=$(date +%s.%N)
  echo "every step run:    $(echo "$e - $s" | bc) s"
done
for i in 1 2 3; do
  s=$(date +%s.%N); "$bin" run --artifacts "$art" >/dev/null 2>&1; e=$(date +%s.%N)
  echo "every step cached: $(echo "$e - $s" | bc) s"
done
