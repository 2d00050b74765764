#!/usr/bin/env bash
# Argo's own examples as the yardstick of the local runner (issue 14): every Workflow under
# Argo's examples/ without the `workflows.argoproj.io/no-test` label whose images are all
# busybox, alpine or python:alpine is run with `titanic run --manifest FILE --executor host`,
# and the endings are counted: Succeeded, refused up front (exit 2, one line naming the
# feature), anything else (must be 0). Argo's CI requires each of them to Succeed
# (test/e2e/examples_test.go).
#
#   bench/argo_examples.sh [ARGO_REPO]   # a git checkout or bare mirror of argo-workflows
#
# Needs bubblewrap (`bwrap`) and python3 with PyYAML (.venv has it); builds the titanic binary.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=${1:-/work/.mirror/argoproj+argo-workflows/repo}
python=${PYTHON:-.venv/bin/python}
[ -x "$python" ] || python=python3
cargo build --release --quiet --workspace --bins
target=${CARGO_TARGET_DIR:-target}
bin="$target/release/titanic"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/examples"

# Select the examples (written to $work/examples, one file per Workflow; the list on stdout).
"$python" - "$repo" "$work/examples" <<'PY'
import re, subprocess, sys, yaml, pathlib
repo, out = sys.argv[1], pathlib.Path(sys.argv[2])
git = ["git", "-C", repo]
files = subprocess.check_output(git + ["ls-tree", "-r", "--name-only", "HEAD", "examples/"]).decode().split()
def emulated(image):
    name = image.split("@")[0]
    base, _, tag = name.partition(":")
    return base in ("busybox", "alpine") or (base == "python" and "alpine" in tag)
for f in files:
    if not re.search(r"\.ya?ml$", f):
        continue
    text = subprocess.check_output(git + ["show", "HEAD:" + f]).decode()
    try:
        docs = [d for d in yaml.safe_load_all(text) if isinstance(d, dict)]
    except yaml.YAMLError:
        continue
    for i, d in enumerate(docs):
        if d.get("kind") != "Workflow":
            continue
        if "workflows.argoproj.io/no-test" in ((d.get("metadata") or {}).get("labels") or {}):
            continue
        images = re.findall(r"\bimage:\s*['\"]?([^\s'\"]+)", yaml.safe_dump(d))
        if not images or not all(emulated(i) for i in images):
            continue
        name = f.replace("/", "__") + (f".{i}" if len(docs) > 1 else "")
        (out / name).write_text(yaml.safe_dump(d))
        print(f)
PY

succeeded=0 refused=0 other=0
for file in "$work"/examples/*; do
  name=$(basename "$file" | sed 's/__/\//g')
  set +e
  line=$(cd "$work" && timeout 300 "$bin" run --manifest "$file" --executor host \
    --artifacts "$work/artifacts" 2>"$work/stderr" >/dev/null)
  code=$?
  set -e
  case $code in
    0) succeeded=$((succeeded + 1)); printf 'Succeeded  %s\n' "$name" ;;
    2) refused=$((refused + 1)); printf 'refused    %s: %s\n' "$name" "$(grep -m1 'cannot run locally' "$work/stderr" || tail -n1 "$work/stderr")" ;;
    *) other=$((other + 1)); printf 'OTHER(%s)  %s: %s\n' "$code" "$name" "$(grep -v '^\s*$' "$work/stderr" | tail -n2 | tr '\n' ' ')" ;;
  esac
done
total=$((succeeded + refused + other))
printf '\nexamples %d: Succeeded %d, refused up front %d, other endings %d (Succeeded %d%%)\n' \
  "$total" "$succeeded" "$refused" "$other" "$((100 * succeeded / (total == 0 ? 1 : total)))"
[ "$other" -eq 0 ]
