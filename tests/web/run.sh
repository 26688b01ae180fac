#!/usr/bin/env bash
# The viewer end to end in headless Chromium: starts `attnscope serve` on a free port with a small
# trained model and two files, runs viewer.test.mjs against it, stops the server.
# usage: run.sh BIN   (env: ATTNSCOPE_SOURCE_DIR, ATTNSCOPE_BUILD_DIR)
set -uo pipefail
BIN=$(realpath "$1")
SRC=${ATTNSCOPE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${ATTNSCOPE_BUILD_DIR:-$(dirname "$BIN")}
if [ ! -x /usr/bin/chromium ] || ! command -v node >/dev/null || [ ! -f "$SRC/node_modules/playwright-core/package.json" ]; then
  echo "skipped: chromium or playwright-core not installed"
  exit 0
fi
T=$(mktemp -d)
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT

# A trained reverse model, kept in the build dir so later runs start at once.
MODEL=$BUILD/web-test/reverse
if [ ! -f "$MODEL/model.safetensors" ]; then
  rm -rf "$MODEL"; mkdir -p "$BUILD/web-test"
  "$BIN" train --task reverse --out "$MODEL" --quiet >/dev/null || { echo "FAIL: could not train the test model"; exit 1; }
fi
"$BIN" run --model "$MODEL" monojitcnn --attn "$T/reverse.attn.safetensors" >/dev/null 2>&1 || { echo "FAIL: run"; exit 1; }
# Several layers and heads with distinct patterns: 3 layers x 4 heads x 10 tokens.
/usr/bin/python3 "$SRC/bench/viewer.d/make_set.py" 3 4 10 "$T/grid.attn.safetensors" || { echo "FAIL: make_set.py"; exit 1; }
HTML=""
if "$BIN" export --help 2>/dev/null | grep -q -- --html; then
  "$BIN" export "$T/grid.attn.safetensors" --html "$T/page.html" >/dev/null || { echo "FAIL: export --html"; exit 1; }
  HTML=$T/page.html
fi

"$BIN" serve --port 0 --model "$MODEL" "$T/grid.attn.safetensors" "$T/reverse.attn.safetensors" >"$T/serve.out" 2>"$T/serve.err" &
SERVER=$!
for _ in $(seq 1 100); do grep -q '^attnscope serve: http' "$T/serve.out" && break; sleep 0.1; done
URL=$(grep -o 'http://[^ ]*' "$T/serve.out" | head -1)
[ -n "$URL" ] || { echo "FAIL: server did not start"; cat "$T/serve.err"; exit 1; }

SHOTS=$BUILD/web-screenshots
mkdir -p "$SHOTS"
NODE_PATH="$SRC/node_modules" node "$SRC/tests/web/viewer.test.mjs" "$URL" "$T/grid.attn.safetensors" "$SHOTS" "$HTML"
rc=$?

# Ctrl-C stops it cleanly.
kill -INT "$SERVER"
if wait "$SERVER"; then echo "ok   SIGINT: server stopped, exit 0"; else echo "FAIL SIGINT: exit $?"; rc=1; fi
SERVER=""
exit $rc
