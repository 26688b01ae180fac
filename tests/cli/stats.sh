#!/usr/bin/env bash
# attnscope stats and derive end to end: statistics from saved files and from the real
# stories260K model, the same numbers under `mpirun -np 2`, figures written, one-line errors.
set -uo pipefail
BIN=$1
SRC="${ATTNSCOPE_SOURCE_DIR:-.}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
failures=0; passed=0
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# Errors first: each one line naming what is wrong.
"$BIN" render --help >/dev/null 2>&1 || { echo "FAIL: binary"; exit 1; }
printf 'tok\n' > "$T/x.txt"
expect_error "missing corpus" "cannot open the corpus" "$BIN" stats --model "$T" "$T/none.txt" --out "$T/o"
expect_error "no input" "missing input" "$BIN" stats
expect_error "bad format" "--format" "$BIN" stats "$T/x.attn.safetensors" --format gif
expect_error "not an attention file" "x.txt" "$BIN" stats "$T/x.txt"
expect_error "derive missing file" "none.attn.safetensors" "$BIN" derive "$T/none.attn.safetensors" -o "$T/d.attn.safetensors"

MODEL="$SRC/../shared/models/stories260K"
if [ ! -f "$MODEL/stories260K.bin" ]; then
  echo "skipped: ../shared not found (model statistics)"
else
  bash "$SRC/tools/story_corpus.sh" "$BIN" "$MODEL" 6 "$T/stories.txt" 48
  [ "$(wc -l < "$T/stories.txt")" -eq 6 ] && ok "corpus of 6 generated stories" || fail "corpus"
  if "$BIN" stats --model "$MODEL" "$T/stories.txt" --out "$T/one" --quiet > "$T/one.txt" 2>"$T/err"; then
    ok "stats on one process"
    [ "$(grep -c '^decoder-self' "$T/one.txt")" -eq 40 ] && ok "table has 5 x 8 = 40 heads" || fail "table: $(head -3 "$T/one.txt")"
    # The table counts layers and heads from 1 as the figures do (1..5, 1..8); stats.json from 0.
    awk '/^decoder-self/ { if ($2 < 1 || $2 > 5 || $3 < 1 || $3 > 8) bad = 1; n++ } END { exit !(n == 40 && !bad) }' "$T/one.txt" \
      && ok "table counts layers and heads from 1" || fail "table numbering: $(grep -m2 '^decoder-self' "$T/one.txt")"
    [ -s "$T/one/decoder-self-entropy.png" ] && [ -s "$T/one/decoder-self-previous.png" ] && ok "figures written" || fail "figures missing: $(ls "$T/one")"
    /usr/bin/python3 - "$T/one/stats.json" <<'PY' && ok "json: shares within [0, 1], broadness within [0, 1]" || fail "json values"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["sentences"] == 6 and len(j["heads"]) == 40
assert {h["layer"] for h in j["heads"]} == set(range(5)) and {h["head"] for h in j["heads"]} == set(range(8))
for h in j["heads"]:
    for s in ("special", "punctuation", "previous", "same", "next", "broadness"):
        assert 0 <= h[s] <= 1 + 1e-9, (s, h)
    assert h["entropy"] <= h["uniform_entropy"] + 1e-6
PY
  else
    fail "stats: $(cat "$T/err")"
  fi
  # Derived attention of one run of the real model renders.
  "$BIN" run --model "$MODEL" "Once upon a time" --max-new-tokens 12 --attn "$T/run.attn.safetensors" >/dev/null
  if "$BIN" derive "$T/run.attn.safetensors" --method flow -o "$T/flow.attn.safetensors" 2>/dev/null &&
     "$BIN" render "$T/flow.attn.safetensors" --view grid -o "$T/flow.png" >/dev/null 2>&1 && [ -s "$T/flow.png" ]; then
    ok "flow derived and rendered"
  else fail "flow"; fi
  # The same statistics split over two processes.
  if command -v mpirun >/dev/null; then
    if OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 timeout 300 mpirun --oversubscribe -np 2 \
         "$BIN" stats --model "$MODEL" "$T/stories.txt" --out "$T/two" --quiet --no-figures > "$T/two.txt" 2>"$T/err2"; then
      cmp -s "$T/one/stats.json" "$T/two/stats.json" && cmp -s "$T/one.txt" "$T/two.txt" \
        && ok "mpirun -np 2: identical table and stats.json" || fail "mpirun -np 2 differs: $(diff "$T/one.txt" "$T/two.txt" | head -3)"
    else
      fail "mpirun -np 2: $(tail -3 "$T/err2")"
    fi
  else
    echo "skipped: mpirun not installed"
  fi
fi
echo "stats: $passed passed, $failures failed"
[ "$failures" -eq 0 ]
