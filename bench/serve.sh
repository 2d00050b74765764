#!/usr/bin/env bash
# Inference server load and abuse benchmark (not a test). One server, one run:
#   1. start-up time (spawn -> first 200 on /health) and binary size;
#   2. wrk, 32 connections: the trivial route (/health), then /predict with the demo's body;
#   3. wrk, 32 connections: malformed requests of 16 kinds (>= 10,000 of them), counting 5xx;
#   4. SIGTERM, then beacon lines against requests sent; peak RSS (VmHWM) of the server.
# Prints /predict requests/s as a fraction of the trivial route's, p50/p99 latencies, peak RSS,
# the 5xx count and the beacon count, and the server's CPU time per request on each route (robust
# to other load on the host, unlike requests/s). Needs wrk (Debian package `wrk`, installed if missing).
# Usage: bench/serve.sh [model.json]   (default: train one with `titanic run`)
# Env: DURATION (seconds per wrk run, default 10), CONNECTIONS (default 32), THREADS (default 2),
# NO_BUILD=1 to use the binaries already in the target directory.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
duration=${DURATION:-10}
conns=${CONNECTIONS:-32}
threads=${THREADS:-2}
target=${CARGO_TARGET_DIR:-$root/target}

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)..." >&2
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq wrk >/dev/null; fi
fi

[ -n "${NO_BUILD:-}" ] || cargo build --release --locked -p titanic-serve -p titanic-components --bins --quiet
serve=$target/release/titanic-serve
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

model=${1:-}
if [ -z "$model" ]; then
  "$target/release/titanic" run --artifacts "$work/artifacts" >/dev/null 2>&1
  model=$(jq -r '.steps[] | select(.task == "publish") | .artifacts[0].path' "$work"/artifacts/runs/*/run.json)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port

polls=0
t0=$(date +%s%N)
RUST_LOG=warn "$serve" --host 127.0.0.1 --port "$port" --model "$model" --beacon-dir "$work/beacon" &
pid=$!
until curl -fs -o /dev/null "$url/health"; do polls=$((polls + 1)); sleep 0.002; done
t1=$(date +%s%N)
polls=$((polls + 1))   # the successful poll is a request too (failed ones never connected)

demo='{"PassengerId":892,"Name":"Kelly, Mr. James","Pclass":3,"Age":34.5,"SibSp":0,"Parch":0,"Fare":7.8292,"Sex":"male","Embarked":"Q"}'
# The tail past p99 (wrk --latency stops there), from wrk's own histogram (microseconds).
tail_lua='function done(summary, latency, requests)
  io.write(string.format("TAIL p99.9 %d max %d\n", latency:percentile(99.9), latency.max))
end'
echo "$tail_lua" >"$work/trivial.lua"
cat >"$work/predict.lua" <<LUA
wrk.method = "POST"
wrk.body = '$demo'
wrk.headers["Content-Type"] = "application/json"
$tail_lua
LUA

# 16 kinds of bad requests, cycled; every thread counts the 5xx it sees.
python3 - "$work/malformed.lua" "$demo" <<'PY'
import json, sys
out, demo = sys.argv[1], json.loads(sys.argv[2])
def w(**kw):
    d = dict(demo); d.update(kw); return json.dumps(d)
kinds = [
    ("POST", "/predict", "Pclass=3&Sex=male"),                      # not JSON
    ("POST", "/predict", json.dumps(demo)[:40]),                    # truncated
    ("POST", "/predict", "[1,2,3]"),                                # not an object
    ("POST", "/predict", w(Pclass=7)),                              # out of range
    ("POST", "/predict", w(Sex="robot")),                           # unknown category
    ("POST", "/predict", w(Age=-3, Fare=1e300)),                    # negative / absurd
    ("POST", "/predict", w(Pclass="first", Age={"y": 1})),          # wrong types
    ("POST", "/predict", w(Name="x" * 4000)),                       # overlong string
    ("POST", "/predict", "[" * 5000 + "]" * 5000),                  # deep nesting
    ("POST", "/predict", w(Colour="red")),                          # unknown field
    ("POST", "/predict", '{"Name": "' + "x" * 1_100_000 + '"}'),    # over the body limit
    ("GET", "/predict", ""),                                        # wrong method
    ("DELETE", "/nope/../../etc/passwd", ""),                       # unknown route
    ("POST", "/predict/batch", json.dumps([demo, {"Pclass": 9}])),  # bad batch item
    ("POST", "/v2/models/titanic/infer", '{"inputs": [{"name": "Sex", "datatype": "FP64", "shape": [2], "data": [1]}]}'),
    ("POST", "/v2/models/nope/infer", "{}"),                        # unknown model
]
lua = ["local kinds = {"]
for m, p, b in kinds:
    lua.append("  {%s, %s, %s}," % (json.dumps(m), json.dumps(p), json.dumps(b)))
lua.append("}")
lua.append("""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) i = 0; server_errors = 0; seen = 0 end
function request()
  i = i + 1
  local k = kinds[(i % #kinds) + 1]
  return wrk.format(k[1], k[2], {["Content-Type"] = "application/json"}, k[3])
end
function response(status, headers, body)
  seen = seen + 1
  if status >= 500 then server_errors = server_errors + 1 end
end
function done(summary, latency, requests)
  local errors, total = 0, 0
  for _, t in ipairs(threads) do
    errors = errors + t:get("server_errors"); total = total + t:get("seen")
  end
  io.write(string.format("MALFORMED kinds=%d responses=%d server_errors=%d\\n", #kinds, total, errors))
end
""")
open(out, "w").write("\n".join(lua))
PY

ticks() { awk '{print $14 + $15}' /proc/$pid/stat; }   # server CPU time (user + system), clock ticks
run_wrk() { # label, path, [script]
  local out t0
  t0=$(ticks)
  out=$(wrk -t"$threads" -c"$conns" -d"${duration}s" --latency ${3:+-s "$3"} "$url$2")
  echo "$out" >"$work/$1.txt"
  echo "$out" | awk '/requests in/ {print $1}' >"$work/$1.count"
  echo $(( $(ticks) - t0 )) >"$work/$1.ticks"
}
ms() { # wrk latency (e.g. 850.00us, 1.20ms, 2.00s) -> ms
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}
rps() { awk '/Requests\/sec/ {print $2}' "$work/$1.txt"; }
cpu_us() { awk -v t="$(cat "$work/$1.ticks")" -v n="$(cat "$work/$1.count")" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz / n * 1e6 }'; }
pct() { awk -v p="$2" '$1 == p {print $2}' "$work/$1.txt"; }
tail_ms() { awk '/^TAIL/ { printf "p99.9 %.3f ms  max %.3f ms", $3 / 1000, $5 / 1000 }' "$work/$1.txt"; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
run_wrk trivial /health "$work/trivial.lua"
run_wrk predict /predict "$work/predict.lua"
run_wrk malformed /predict "$work/malformed.lua"
rss_kb=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
kill -TERM "$pid"; wait "$pid" || true; pid=

sent=$(( $(cat "$work/trivial.count") + $(cat "$work/predict.count") + $(cat "$work/malformed.count") + polls ))
lines=$(cat "$work"/beacon/beacon.log* | wc -l)
partial=$(for f in "$work"/beacon/beacon.log*; do tail -c1 "$f" | od -An -c | grep -vc '\\n' || true; done | awk '{s += $1} END {print s + 0}')
trivial=$(rps trivial); predict=$(rps predict)
echo "== titanic-serve, $conns connections, $threads wrk threads, ${duration}s per run, $(nproc) cores =="
echo "host load (1/5/15 min): $load_before before, $load_after after (other processes compete for the cores)"
echo "binary size:            $(stat -c %s "$serve" | awk '{printf "%.1f MiB", $1 / 1048576}')"
echo "start-up (to first 200): $(( (t1 - t0) / 1000000 )) ms"
echo "trivial /health:        $trivial req/s  p50 $(ms "$(pct trivial 50%)") ms  p99 $(ms "$(pct trivial 99%)") ms  $(tail_ms trivial)"
echo "/predict (demo body):   $predict req/s  p50 $(ms "$(pct predict 50%)") ms  p99 $(ms "$(pct predict 99%)") ms  $(tail_ms predict)"
echo "/predict / trivial:     $(awk -v a="$predict" -v b="$trivial" 'BEGIN { printf "%.2f", a / b }')"
# Server CPU per request (user + system): unlike requests/s, barely moved by other load on the host.
echo "server CPU per request: /health $(cpu_us trivial) us, /predict $(cpu_us predict) us, ratio $(awk -v a="$(cpu_us trivial)" -v b="$(cpu_us predict)" 'BEGIN { printf "%.2f", a / b }')"
grep MALFORMED "$work/malformed.txt"
echo "malformed p99:          $(ms "$(pct malformed 99%)") ms, non-2xx/3xx: $(awk '/Non-2xx/ {print $NF}' "$work/malformed.txt")"
echo "peak RSS (VmHWM):       $((rss_kb / 1024)) MiB ($rss_kb kB)"
echo "beacon lines:           $lines for $sent requests completed by clients (lines >= requests: wrk cuts requests in flight at the end); partial last lines: $partial"
