#!/usr/bin/env bash
# `attnscope serve` under abuse and load, over loopback with curl: bodies over the limit get 413,
# bad JSON and bad inputs 400, unknown paths and `..` tricks 404 (always one line of JSON);
# malformed model requests cannot crash it; N concurrent requests give no errors (throughput
# printed); SIGINT stops it with exit 0. Each wait is bounded; the test ends within 2 minutes.
set -uo pipefail
BIN=$(realpath "$1")
SRC=${ATTNSCOPE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$SRC/tests/web/lib.sh"
command -v curl >/dev/null || { echo "skipped: curl not installed"; exit 0; }
T=$(mktemp -d)
trap 'stop_server; rm -rf "$T"' EXIT
failures=0; passed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*"; failures=$((failures + 1)); }

# A tiny model (a few steps is enough to load and decode) and a file to serve.
timeout 60 "$BIN" train --task reverse --out "$T/model" --steps 2 --eval-every 1 --heldout 5 --quiet >/dev/null 2>&1 ||
  { echo "FAIL: could not train a tiny model"; exit 1; }
"$BIN" run --model "$T/model" abcdef --attn "$T/run.attn.safetensors" >/dev/null 2>&1 || { echo "FAIL: run"; exit 1; }
start_server "$T" --model "$T/model" "$T/run.attn.safetensors" || exit 1

C=(curl -s --max-time 10 --path-as-is -o "$T/body" -w '%{http_code}')
# expect NAME STATUS CURL_ARGS...: the status, and a body of one line of JSON with "error".
expect() {
  local name=$1 want=$2; shift 2
  local got; got=$("${C[@]}" "$@")
  if [ "$got" != "$want" ]; then bad "$name: HTTP $got, expected $want ($(head -c 200 "$T/body"))"; return; fi
  if [ "$(grep -c '' "$T/body")" -ne 1 ] || ! grep -q '^{"error":"[^"]' "$T/body"; then
    bad "$name: body is not one line of JSON error: $(head -c 200 "$T/body")"; return
  fi
  ok "$name: $got $(cat "$T/body")"
}
# expect_run NAME STATUS BODY: POST /api/run with BODY.
expect_run() {
  printf '%s' "$3" > "$T/req"
  expect "$1" "$2" -X POST -H 'Content-Type: application/json' --data-binary "@$T/req" "$URL/api/run"
}

# Bodies over the limit.
head -c 70000 /dev/zero | tr '\0' 'a' | sed 's/^/{"input": "/; s/$/"}/' > "$T/big"
expect "body over 64 KiB" 413 -X POST -H 'Content-Type: application/json' --data-binary "@$T/big" "$URL/api/run"
head -c 3000000 /dev/zero > "$T/huge"
expect "3 MB body" 413 -X POST --data-binary "@$T/huge" "$URL/api/run"
# Bad JSON and bad inputs.
expect_run "malformed JSON" 400 '{"input": '
expect_run "JSON not an object" 400 '[1,2,3]'
expect_run "input not a string" 400 '{"input": 12}'
expect_run "input missing" 400 '{"model": "model"}'
expect_run "empty input" 400 '{"input": ""}'
expect_run "input over the model's length" 400 "{\"input\": \"$(printf 'a%.0s' $(seq 1 500))\"}"
expect_run "out-of-vocabulary input" 400 '{"input": "ab!cd"}'
expect_run "invalid UTF-8" 400 $'{"input": "ab\xff\xfe"}'
expect_run "mask not a list" 400 '{"input": "abc", "mask": 3}'
expect_run "mask position outside" 400 '{"input": "abc", "mask": [7]}'
expect_run "mask position negative" 400 '{"input": "abc", "mask": [-1]}'
expect_run "mask position not integer" 400 '{"input": "abc", "mask": ["x"]}'
expect_run "mask position huge" 400 '{"input": "abc", "mask": [99999999999999999999]}'
expect_run "unknown model" 404 '{"model": "../../etc", "input": "abc"}'
expect "head not a number" 400 "$URL/api/sets/0/block?head=x"
expect "head overflows" 400 "$URL/api/sets/0/block?head=99999999999999999999999"
expect "head out of range" 404 "$URL/api/sets/0/block?block=cross.0&head=9"
expect "unknown block" 404 "$URL/api/sets/0/block?block=cross.7&head=0"
expect "bad dtype" 400 "$URL/api/sets/0/block?block=cross.0&head=0&dtype=f64"
expect "thumb size 0" 400 "$URL/api/sets/0/thumbs?kind=cross&size=0"
expect "unknown kind" 400 "$URL/api/sets/0/thumbs?kind=sideways"
expect "unknown set" 404 "$URL/api/sets/999"
# Unknown paths and traversal.
expect "unknown file" 404 "$URL/nope.html"
expect "unknown API" 404 "$URL/api/nope"
expect "POST to a file" 404 -X POST -d x "$URL/index.html"
expect ".. to /etc/passwd" 404 "$URL/../../../../etc/passwd"
expect ".. inside the tree" 404 "$URL/js/../../CMakeLists.txt"
expect "encoded .." 404 "$URL/%2e%2e/%2e%2e/etc/passwd"
expect "encoded slash" 404 "$URL/js%2f..%2f..%2fCMakeLists.txt"
expect "absolute path" 404 "$URL//etc/passwd"
expect ".. after an API path" 404 "$URL/api/sets/0/../../../etc/passwd"
# Malformed requests at the socket level.
printf 'GARBAGE\r\n\r\n' > "$T/raw"
curl -s --max-time 5 "telnet://${URL#http://}" < "$T/raw" > /dev/null 2>&1
printf 'POST /api/run HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n{"input"' > "$T/raw"
curl -s --max-time 5 "telnet://${URL#http://}" < "$T/raw" > /dev/null 2>&1
# Still alive after all of that, and a good run still works.
got=$("${C[@]}" "$URL/api/info")
[ "$got" = 200 ] && grep -q '"models"' "$T/body" && ok "server still answers after the bad requests" || bad "server after bad requests: HTTP $got"
printf '%s' '{"input": "abcd", "mask": [1]}' > "$T/req"
got=$("${C[@]}" -X POST -H 'Content-Type: application/json' --data-binary "@$T/req" "$URL/api/run")
[ "$got" = 200 ] && grep -q '"masked"' "$T/body" && ok "a good masked run after the bad ones" || bad "good run: HTTP $got $(head -c 200 "$T/body")"

# Only its own pages: a foreign Host (DNS rebinding) or a foreign Origin (a simple cross-site POST)
# gets 403; scripts without an Origin keep working.
expect "foreign Host" 403 -H "Host: evil.example:${URL##*:}" "$URL/api/info"
printf '%s' '{"input": "abc"}' > "$T/req"
expect "foreign Origin POST" 403 -X POST -H "Origin: http://evil.example" -H 'Content-Type: text/plain' --data-binary "@$T/req" "$URL/api/run"
expect "foreign Origin API read" 403 -H "Origin: http://evil.example" "$URL/api/sets/0/file"
got=$("${C[@]}" -X POST -H "Origin: $URL" -H 'Content-Type: application/json' --data-binary "@$T/req" "$URL/api/run")
[ "$got" = 200 ] && ok "own Origin POST: 200" || bad "own Origin POST: HTTP $got $(head -c 200 "$T/body")"

# Load: N concurrent GETs over loopback (file, JSON, a binary block), then concurrent model runs.
N=${SERVE_LOAD_REQUESTS:-3000}; P=${SERVE_LOAD_PARALLEL:-32}
: > "$T/urls"
for i in $(seq 1 "$N"); do
  case $((i % 3)) in
    0) u="$URL/api/info" ;; 1) u="$URL/api/sets/0/block?run=0&block=cross.0&head=0&merge=0" ;; 2) u="$URL/js/main.js" ;;
  esac
  printf 'url = "%s"\noutput = "/dev/null"\n' "$u" >> "$T/urls"
done
start=$(date +%s.%N)
timeout 60 curl -s --no-progress-meter --parallel --parallel-immediate --parallel-max "$P" --max-time 20 -K "$T/urls" -w '%{http_code}\n' > "$T/codes"
end=$(date +%s.%N)
n200=$(grep -c '^200$' "$T/codes"); errors=$((N - n200))
rate=$(awk -v n="$N" -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", n / (b - a) }')
[ "$errors" -eq 0 ] && ok "load: $N GETs, $P at a time: 0 errors, $rate requests/s" || bad "load: $errors of $N GETs failed (status: $(sort "$T/codes" | uniq -c | tr -s " \n" " "))"
R=${SERVE_LOAD_RUNS:-40}
: > "$T/runs"
for i in $(seq 1 "$R"); do
  # One group per run ("next" between them, else curl joins every data line into each body).
  [ "$i" -gt 1 ] && echo next >> "$T/runs"
  printf 'url = "%s/api/run"\ndata = "{\\"input\\": \\"abc%s\\"}"\nheader = "Content-Type: application/json"\n' "$URL" "$(printf 'defgh' | head -c $((i % 5)))" >> "$T/runs"
  printf 'output = "/dev/null"\nwrite-out = "%%{http_code}\\n"\nmax-time = 30\nsilent\n' >> "$T/runs"
done
start=$(date +%s.%N)
timeout 60 curl -s --no-progress-meter --parallel --parallel-immediate --parallel-max 8 -K "$T/runs" > "$T/codes"
end=$(date +%s.%N)
n200=$(grep -c '^200$' "$T/codes"); errors=$((R - n200))
rate=$(awk -v n="$R" -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", n / (b - a) }')
[ "$errors" -eq 0 ] && ok "load: $R model runs, 8 at a time: 0 errors, $rate runs/s" || bad "load: $errors of $R runs failed (status: $(sort "$T/codes" | uniq -c | tr -s " \n" " "))"

if stop_server; then ok "SIGINT: server stopped, exit 0"; else failures=$((failures + 1)); fi
echo "serve: $passed passed, $failures failed"
[ "$failures" -eq 0 ]
