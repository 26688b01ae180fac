#!/usr/bin/env bash
# The viewer end to end in headless Chromium: starts `attnscope serve` on a free port with a small
# trained model and two files, runs viewer.test.mjs against it, stops the server with SIGINT.
# Every wait has a time limit: the whole test ends within about 170 s even when something hangs.
# usage: run.sh BIN   (env: ATTNSCOPE_SOURCE_DIR, ATTNSCOPE_BUILD_DIR)
set -uo pipefail
BIN=$(realpath "$1")
SRC=${ATTNSCOPE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${ATTNSCOPE_BUILD_DIR:-$(dirname "$BIN")}
source "$SRC/tests/web/lib.sh"
web_requirements || exit 0

DEADLINE=$((SECONDS + 160))  # then SIGINT, 5 s more at most
T=$(mktemp -d)
trap 'stop_server; rm -rf "$T"' EXIT

# A small reverse model, kept in the build dir so later runs start at once. It only has to run,
# not be perfect: training is capped at 75 s.
MODEL=$BUILD/web-test/reverse
if [ ! -f "$MODEL/model.safetensors" ]; then
  rm -rf "$MODEL"; mkdir -p "$BUILD/web-test"
  timeout -k 5 75 "$BIN" train --task reverse --out "$MODEL" --steps 500 --target-acc 0.95 --quiet >/dev/null ||
    { echo "FAIL: could not train the test model in 75 s"; exit 1; }
fi
"$BIN" run --model "$MODEL" monojitcnn --attn "$T/reverse.attn.safetensors" >/dev/null 2>&1 || { echo "FAIL: run"; exit 1; }
# Several layers and heads with distinct patterns: 3 layers x 4 heads x 10 tokens.
/usr/bin/python3 "$SRC/bench/viewer.d/make_set.py" 3 4 10 "$T/grid.attn.safetensors" || { echo "FAIL: make_set.py"; exit 1; }
# Too long to draw cell by cell: 1 layer x 2 heads x 700 tokens (pooled detail, float16, zoom).
/usr/bin/python3 "$SRC/bench/viewer.d/make_set.py" 1 2 700 "$T/long.attn.safetensors" || { echo "FAIL: make_set.py"; exit 1; }
"$BIN" export "$T/grid.attn.safetensors" --html "$T/page.html" >/dev/null || { echo "FAIL: export --html"; exit 1; }

start_server "$T" --model "$MODEL" "$T/grid.attn.safetensors" "$T/reverse.attn.safetensors" "$T/long.attn.safetensors" || exit 1

SHOTS=$BUILD/web-screenshots
mkdir -p "$SHOTS"
LIMIT=$((DEADLINE - SECONDS))
WEB_TEST_LIMIT_S=$((LIMIT - 5)) NODE_PATH="$SRC/node_modules" timeout -k 3 "$LIMIT" node "$SRC/tests/web/viewer.test.mjs" "$URL" "$T/grid.attn.safetensors" "$SHOTS" "$T/page.html" "$T/long.attn.safetensors"
rc=$?
[ $rc -eq 124 ] && echo "FAIL: browser checks ran past $LIMIT s"

# Ctrl-C stops it cleanly (exit 0), within 5 s.
if stop_server; then echo "ok   SIGINT: server stopped, exit 0"; else rc=1; fi
exit $rc
