#!/usr/bin/env bash
# One server, every kind of model (#18): BERT, GPT-2, Llama and Marian folders as Hugging Face
# ships them (tests/fixtures), llama2.c's stories260K (../shared, when present) and a model trained
# by attnscope. GET /api/info lists them by folder name; POST /api/run works on each: BERT masks
# ([MASK], runs original and masked), stories260K generates and answers decoder-self blocks for 5 x 8
# heads, Marian answers cross blocks, the dates model's masked comparison has equal row counts.
# Bad requests get a 4xx with the error in one line of JSON; align refuses an encoder-only model.
set -uo pipefail
BIN=$(realpath "$1")
SRC=${ATTNSCOPE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$SRC/tests/web/lib.sh"
command -v curl >/dev/null || { echo "skipped: curl not installed"; exit 0; }
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'stop_server; rm -rf "$T"' EXIT
failures=0; passed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*"; failures=$((failures + 1)); }
FIX=$SRC/tests/fixtures
STORIES=$SRC/../shared/models/stories260K

# A dates model: a few steps are enough to load, decode and mask (accuracy is not the point).
timeout 120 "$BIN" train --task dates --out "$T/dates" --steps 20 --eval-every 20 --heldout 5 --quiet >/dev/null 2>&1 ||
  { echo "FAIL: could not train a dates model"; exit 1; }
models=(--model "$FIX/tiny-bert" --model "$FIX/tiny-gpt2" --model "$FIX/tiny-llama" --model "$FIX/tiny-marian" --model "$T/dates")
names="tiny-bert tiny-gpt2 tiny-llama tiny-marian dates"
if [ -f "$STORIES/stories260K.bin" ]; then
  models+=(--model "$STORIES"); names="$names stories260K"
else
  echo "note: ../shared not found: stories260K not served (skipped: ../shared not found)"
fi
start_server "$T" "${models[@]}" || exit 1

# post NAME BODY: POST /api/run; leaves the answer in $T/body, prints the status.
post() {
  printf '%s' "$1" > "$T/req"
  curl -s --max-time 30 -o "$T/body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data-binary "@$T/req" "$URL/api/run"
}
# check NAME PYTHON_EXPR: evaluates EXPR with d = the JSON answer in $T/body.
check() {
  if $PY -c "import json,sys; d=json.load(open('$T/body')); sys.exit(0 if ($2) else 1)" 2>/dev/null; then ok "$1"
  else bad "$1: $(head -c 300 "$T/body")"; fi
}

curl -s --max-time 10 -o "$T/body" "$URL/api/info"
for n in $names; do check "info lists $n" "'$n' in [m['name'] for m in d['models']]"; done
check "info: roles" "{m['name']: m['role'] for m in d['models']}['tiny-bert'] == 'encoder' and {m['name']: m['role'] for m in d['models']}['tiny-marian'] == 'encoder-decoder'"

# BERT: a masked word, two runs, the masked one reads [MASK].
[ "$(post '{"model": "tiny-bert", "input": "the cat sat on the mat", "mask": [2]}')" = 200 ] || bad "bert mask: HTTP $(cat "$T/body")"
check "bert: runs original and masked, [MASK] in the masked input" \
  "[r['name'] for r in d['runs']] == ['original', 'masked'] and d['runs'][1]['source_tokens'][2] == '[MASK]' and d['runs'][0]['source_tokens'][2] != '[MASK]'"

# GPT-2 and Llama (token ids: the fixture ships no tokenizer) generate.
[ "$(post '{"model": "tiny-gpt2", "input": "The cat sat on the mat", "max_new_tokens": 5}')" = 200 ] || bad "gpt2: $(cat "$T/body")"
check "gpt2: generates up to 5 tokens (fewer only at the end of text), decoder-self" \
  "(len(d['runs'][0]['target_tokens']) - int(d['runs'][0]['info']['prompt_tokens']) == 5 or d['stopped'] == 'end of text') and d['kinds'] == ['decoder-self'] and d['runs'][0]['info']['prompt_tokens'] == '8'"
[ "$(post '{"model": "tiny-llama", "input": "1 5 9", "max_new_tokens": 4}')" = 200 ] || bad "llama: $(cat "$T/body")"
check "llama: token-id input generates" "len(d['runs'][0]['target_tokens']) == 7"

# stories260K generates: decoder-self blocks for 5 layers x 8 heads.
if [ -f "$STORIES/stories260K.bin" ]; then
  [ "$(post '{"model": "stories260K", "input": "Once upon a time", "max_new_tokens": 12}')" = 200 ] || bad "stories: $(cat "$T/body")"
  check "stories260K: 12 generated tokens, 5 decoder-self blocks of 8 heads" \
    "len(d['runs'][0]['blocks']) == 5 and all(b['kind'] == 'decoder-self' and b['heads'] == 8 for b in d['runs'][0]['blocks']) and d['stopped'] in ('max new tokens', 'end of text') and d['output'] != ''"
fi

# Marian translates and answers cross blocks (and a masked comparison shares the target).
[ "$(post '{"model": "tiny-marian", "input": "5 17 42 8 0", "max_new_tokens": 6}')" = 200 ] || bad "marian: $(cat "$T/body")"
check "marian: cross blocks" "'cross' in d['kinds'] and any(b['kind'] == 'cross' for b in d['runs'][0]['blocks'])"
[ "$(post '{"model": "tiny-marian", "input": "5 17 42 8 0", "max_new_tokens": 6, "mask": [1]}')" = 200 ] || bad "marian mask: $(cat "$T/body")"
check "marian: masked run shares the original's target" "d['runs'][0]['target_tokens'] == d['runs'][1]['target_tokens']"

# The dates model: the masked comparison has equal row counts (forced onto the original output).
[ "$(post '{"model": "dates", "input": "30 July 2021", "mask": [0, 1]}')" = 200 ] || bad "dates mask: $(cat "$T/body")"
check "dates: masked run has the original's rows" \
  "len(d['runs'][0]['target_tokens']) == len(d['runs'][1]['target_tokens']) and d['runs'][0]['target_tokens'] == d['runs'][1]['target_tokens'] and d['runs'][1]['source_tokens'][0] != d['runs'][0]['source_tokens'][0]"

# Bad requests: 4xx, one line of JSON naming the problem.
expect_error() {
  local name=$1 status=$2 body=$3 want=$4 got
  got=$(post "$body")
  if [ "$got" = "$status" ] && [ "$(grep -c '' "$T/body")" -eq 1 ] && grep -q "$want" "$T/body"; then ok "$name: $got $(cat "$T/body")"
  else bad "$name: HTTP $got $(head -c 300 "$T/body") (wanted $status with '$want')"; fi
}
expect_error "bert: masked position out of range" 400 '{"model": "tiny-bert", "input": "the cat", "mask": [30]}' "mask position 30 is outside"
expect_error "llama: forced token outside the vocabulary" 400 '{"model": "tiny-llama", "input": "1 5", "forced_output": "7 100000"}' "outside the vocabulary"
expect_error "unknown model" 404 '{"model": "nope", "input": "abc"}' "unknown model 'nope'"
expect_error "bert: nothing to force" 400 '{"model": "tiny-bert", "input": "the cat", "forced_output": "x"}' "encoder"
expect_error "gpt2: beam on a decoder" 400 '{"model": "tiny-gpt2", "input": "The cat", "beam": 3}' "encoder-decoder"
expect_error "max_new_tokens not a number" 400 '{"model": "tiny-gpt2", "input": "The cat", "max_new_tokens": "x"}' "max_new_tokens must be an integer"

# align on an encoder-only model: one line naming the problem.
printf 'a b\n' > "$T/src"; printf 'c d\n' > "$T/tgt"
if out=$("$BIN" align --model "$FIX/tiny-bert" "$T/src" "$T/tgt" 2>&1); then bad "align on BERT succeeded: $out"
elif [ "$(grep -c '' <<<"$out")" -eq 1 ] && grep -q "align needs an encoder-decoder" <<<"$out"; then ok "align on BERT: $out"
else bad "align on BERT: $out"; fi

if stop_server; then ok "SIGINT: server stopped, exit 0"; else failures=$((failures + 1)); fi

# run --json: the same keys for every model (the role adds its own few: predictions and tokens for
# encoders, prompt_tokens for decoders, source_ids/target_ids for encoder-decoders).
common='["attention","blocks","decoding","input","input_ids","input_tokens","model","output","output_ids","output_tokens","stopped","text"]'
for spec in "tiny-bert|the cat [MASK] on the mat" "tiny-gpt2|The cat sat" "tiny-llama|1 5 9" "tiny-marian|5 17 42 8 0" "dates|30 July 2021"; do
  name=${spec%%|*} input=${spec#*|}
  dir=$FIX/$name; [ "$name" = dates ] && dir=$T/dates
  if ! "$BIN" run --model "$dir" "$input" --max-new-tokens 4 --json > "$T/body" 2>"$T/err"; then bad "run --json $name: $(cat "$T/err")"; continue; fi
  check "run --json $name has every common key" "all(k in d for k in $common)"
done
echo "serve_models: $passed passed, $failures failed"
[ "$failures" -eq 0 ]
