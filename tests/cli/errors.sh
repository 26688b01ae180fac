#!/usr/bin/env bash
# Bad input gets one line on stderr, a non-zero exit, and leaves nothing half-written.
set -uo pipefail
BIN=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
failures=0; passed=0

# expect_error NAME EXPECTED_SUBSTRING CMD...
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# A tiny model to run against (a few steps is enough to load and decode).
"$BIN" train --task reverse --out "$T/model" --steps 2 --eval-every 1 --heldout 5 --quiet >/dev/null 2>&1 || { echo "FAIL: could not train a tiny model"; exit 1; }

expect_error "unknown command" "unknown command" "$BIN" frobnicate
expect_error "unknown task" "unknown task" "$BIN" train --task transpose --out "$T/x"
expect_error "bad shift" "shift-left" "$BIN" train --task shift-left:abc --out "$T/x"
expect_error "unknown option" "unknown option --colour" "$BIN" train --task reverse --out "$T/x" --colour red
expect_error "bad choice" "--attention must be one of" "$BIN" train --task reverse --out "$T/x" --attention luong-cosine
expect_error "bad number" "--hidden expects an integer" "$BIN" train --task reverse --out "$T/x" --hidden lots
expect_error "missing value" "--steps needs a value" "$BIN" train --task reverse --out "$T/x" --steps
expect_error "missing out" "--out DIR is required" "$BIN" train --task reverse
expect_error "existing model" "already holds a model" "$BIN" train --task reverse --out "$T/model"
expect_error "missing model folder" "does not exist" "$BIN" run --model "$T/nope" abc
mkdir -p "$T/empty"
expect_error "not a model folder" "config.json is missing" "$BIN" run --model "$T/empty" abc
cp -r "$T/model" "$T/corrupt" && head -c 100 "$T/model/model.safetensors" > "$T/corrupt/model.safetensors"
expect_error "corrupt weights" "not a valid safetensors file" "$BIN" run --model "$T/corrupt" abc
cp -r "$T/model" "$T/badjson" && echo '{"task": ' > "$T/badjson/config.json"
expect_error "corrupt config" "config.json" "$BIN" eval --model "$T/badjson"
expect_error "out of vocabulary" "'X' at position 2" "$BIN" run --model "$T/model" abXcd
expect_error "non-ascii" "byte 0x" "$BIN" run --model "$T/model" "héllo"
expect_error "empty input" "input is empty" "$BIN" run --model "$T/model" ""
expect_error "over-long input" "accepts at most" "$BIN" run --model "$T/model" "$(printf 'a%.0s' $(seq 1 300))"
expect_error "stdin bad line" "line 2:" bash -c "printf 'abc\nab1\n' | '$BIN' run --model '$T/model' -"
expect_error "no input" "exactly one INPUT" "$BIN" run --model "$T/model"
expect_error "bad device" "--device" "$BIN" run --model "$T/model" abc --device tpu

# Nothing half-written: a failing run leaves no attention file and no temporary files.
"$BIN" run --model "$T/model" "ab1" --attn "$T/out.attn.safetensors" >/dev/null 2>&1
if [ -e "$T/out.attn.safetensors" ] || ls "$T" | grep -q tmp-; then
  echo "FAIL half-written: a failed run left files behind"; failures=$((failures+1))
else
  echo "ok   half-written: nothing left behind"; passed=$((passed+1))
fi

echo "errors: $passed passed, $failures failed"
[ "$failures" -eq 0 ]
