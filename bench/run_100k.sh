#!/usr/bin/env bash
# Disk use and wall time of one `titanic run` on 100,000 synthesized passengers (cold store), and
# of a second, fully cached run. Compare two binaries in one go (e.g. main's and this branch's):
#   bench/run_100k.sh path/to/titanic [path/to/other/titanic ...]
# Training is shortened (max_epochs 20, one seed) for every binary alike: the figures are about
# the runner (copies, hashing, caching), not the model.
#
# Measured 2026-11-29 on the shared 2-core machine, main (a1d786b) vs. branch i7, one invocation:
#   main: cold run 65.7 s, cached rerun 0.3 s, store after both 466M (runs/ 399M, sha256/ 67M)
#   i7:   cold run 58.3 s, cached rerun 0.7 s, store after both  69M (inputs hard-linked)
# i.e. 0.15x the disk, 0.89x the cold wall time; the cached rerun is slower (0.3 -> 0.7 s) because
# every reused blob and the 6.7 MB source file are hashed (verification, content-keyed cache).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || set -- "$here/../target/release/titanic"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$here/synth_rows.sh" 100000 > "$work/rows.csv"
echo "input: $(wc -l < "$work/rows.csv") lines, $(du -h "$work/rows.csv" | cut -f1)"
params='train_params={"max_epochs":20,"n_seeds":1}'
for bin in "$@"; do
  art="$work/art-$(basename "$(dirname "$bin")")-$RANDOM"
  s=$(date +%s.%N)
  "$bin" run --artifacts "$art" --param "source=$work/rows.csv" --param "$params" --param threshold=0 >/dev/null 2>"$work/log" || { cat "$work/log"; exit 1; }
  e=$(date +%s.%N)
  cold=$(echo "$e - $s" | bc)
  s=$(date +%s.%N)
  "$bin" run --artifacts "$art" --param "source=$work/rows.csv" --param "$params" --param threshold=0 >/dev/null 2>&1
  e=$(date +%s.%N)
  warm=$(echo "$e - $s" | bc)
  # du counts a hard-linked file once.
  printf '%s\n  cold run: %.1f s, cached rerun: %.1f s, store after both: %s (runs/: %s, sha256/: %s)\n' \
    "$bin" "$cold" "$warm" "$(du -sh "$art" | cut -f1)" "$(du -sh "$art/runs" | cut -f1)" "$(du -sh "$art/sha256" | cut -f1)"
done
