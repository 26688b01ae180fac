#!/usr/bin/env bash
# The viewer end to end in headless Chromium: starts `attnscope serve` on a free port with a small
# trained model and two files, runs viewer.test.mjs against it, stops the server with SIGINT.
# Then the viewer at 8,145 tokens (long.test.mjs): stories260K from ../shared reads a long text
# into a set of query-key blocks, served alone ("skipped: ../shared not found" without it).
# Every wait has a time limit: the whole test ends within about 235 s even when something hangs.
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

# The long set: 8,145 tokens of multi30k captions through stories260K (~10 s; kept in the build
# dir until the binary changes), its own server, at most 65 s more.
LONG_DEADLINE=$((SECONDS + 65))
LM=$SRC/../shared/models/stories260K
TEXT=$SRC/../shared/data/multi30k/train.en.gz
if [ ! -d "$LM" ] || [ ! -f "$TEXT" ]; then
  echo "skipped: ../shared not found (long-set checks)"
  exit $rc
fi
LONG=$BUILD/web-test/long8k.attn.safetensors
if [ ! -f "$LONG" ] || [ "$BIN" -nt "$LONG" ]; then
  mkdir -p "$BUILD/web-test"
  zcat "$TEXT" | head -3000 | tr '\n' ' ' | head -c 14300 >"$T/long8k.txt"
  if ! timeout -k 5 40 "$BIN" run --model "$LM" --input-file "$T/long8k.txt" --max-new-tokens 0 --attn "$T/long8k.attn.safetensors" >/dev/null 2>"$T/long-run.err"; then
    echo "FAIL: the long set (stories260K over 8,145 tokens) was not made in 40 s"; cat "$T/long-run.err"; exit 1
  fi
  mv "$T/long8k.attn.safetensors" "$LONG"
fi
start_server "$T" "$LONG" || exit 1
LIMIT=$((LONG_DEADLINE - SECONDS))
WEB_TEST_LIMIT_S=$((LIMIT - 5)) NODE_PATH="$SRC/node_modules" timeout -k 3 "$LIMIT" node "$SRC/tests/web/long.test.mjs" "$URL" "$LONG" "$SHOTS"
long_rc=$?
[ $long_rc -eq 124 ] && echo "FAIL: long-set browser checks ran past $LIMIT s"
[ $long_rc -eq 0 ] || rc=1
if stop_server; then echo "ok   SIGINT: long-set server stopped, exit 0"; else rc=1; fi
exit $rc
