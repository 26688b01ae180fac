#!/usr/bin/env bash
# attnscope run on Hugging Face folders: the tiny BERT / GPT-2 / Llama fixtures (random weights,
# tests/fixtures/tiny-*): [MASK] predictions, generation, attention saved and drawn, masking
# experiments, --layers/--heads, and one-line errors for bad folders and flags.
set -uo pipefail
BIN=$1
SRC="${ATTNSCOPE_SOURCE_DIR:-.}"
FIX="$SRC/tests/fixtures"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
failures=0; passed=0

source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# BERT: the tokens and the top predictions for the [MASK].
out=$("$BIN" run --model "$FIX/tiny-bert" "the laws of physics [MASK] the universe ." --top-k 3 2>&1)
if grep -qF "[CLS] the laws of physics [MASK] the universe . [SEP]" <<<"$out" && grep -qE "^  \[MASK\] at 5: .+ 0\.[0-9]+" <<<"$out"; then
  ok "bert [MASK] predictions"; else fail "bert: [$out]"; fi
json=$("$BIN" run --model "$FIX/tiny-bert" "the cat sat [MASK] the mat" --json)
grep -qF '"predictions":[{"ids":' <<<"$json" && grep -qF '"position":4' <<<"$json" && ok "bert json" || fail "bert json: $json"

# BERT attention: 2 layers of encoder-self, saved and drawn as a grid.
if "$BIN" run --model "$FIX/tiny-bert" "the cat sat on the mat" --attn "$T/b.attn.safetensors" --png "$T/b.png" >/dev/null 2>"$T/err"; then
  grep -q '"encoder-self.1"' "$T/b.attn.safetensors" && [ -s "$T/b.png" ] && ok "bert attention saved and drawn" || fail "bert attention files"
else fail "bert --attn: $(cat "$T/err")"; fi

# GPT-2: greedy generation from a prompt (the tiny model's 43 merges spell words in pieces: " on"
# is "Ġ" + "on" because the merge o+n ranks before Ġ+o).
json=$("$BIN" run --model "$FIX/tiny-gpt2" "The cat sat on the mat" --max-new-tokens 8 --json)
grep -qF '"tokens":["T","he","Ġcat","Ġsat","Ġ","on","Ġthe","Ġmat"' <<<"$json" && ok "gpt2 generates" || fail "gpt2: $json"

# --layers / --heads keep only those blocks and heads, counted from 1 (stored from 0).
"$BIN" run --model "$FIX/tiny-gpt2" "The cat" --max-new-tokens 2 --layers 2 --heads 1,3 --attn "$T/g.attn.safetensors" >/dev/null 2>&1
if grep -q '"decoder-self.1"' "$T/g.attn.safetensors" && ! grep -q '"decoder-self.0"' "$T/g.attn.safetensors" \
   && grep -qF '\"heads\":\"0,2\"' "$T/g.attn.safetensors"; then ok "--layers/--heads"; else fail "--layers/--heads"; fi

# Masking experiment: both runs in one set, meta says which is which; compare view drawn.
if "$BIN" run --model "$FIX/tiny-bert" "the laws of physics rule the universe" --mask-words "laws,universe" \
     --attn "$T/m.attn.safetensors" --png "$T/m.png" >"$T/out" 2>"$T/err"; then
  grep -qF "masked:   [CLS] the [MASK] of physics [UNK] the [MASK] [SEP]" "$T/out" && ok "mask-words replaces the words" \
    || fail "mask-words output: $(cat "$T/out")"
  grep -q '"1/encoder-self.0"' "$T/m.attn.safetensors" && grep -qF '\"role\":\"masked\"' "$T/m.attn.safetensors" \
    && grep -qF 'experiment' "$T/m.attn.safetensors" && [ -s "$T/m.png" ] && ok "mask set has both runs, compare drawn" \
    || fail "mask set"
else fail "mask-words: $(cat "$T/err")"; fi
json=$("$BIN" run --model "$FIX/tiny-gpt2" "The cat sat on the mat" --mask 2:4 --max-new-tokens 3 --json 2>/dev/null)
grep -qF '"positions":[2,3]' <<<"$json" && grep -qF '<|endoftext|> (a substitute' <<<"$json" \
  && ok "gpt2 --mask uses a stated substitute" || fail "gpt2 --mask: $json"

# Errors: one line each.
expect_error "mask range past the input" "--mask 5:99: the input has" "$BIN" run --model "$FIX/tiny-bert" "the cat" --mask 5:99
expect_error "mask words absent" "--mask-words: none of" "$BIN" run --model "$FIX/tiny-bert" "the cat" --mask-words dog
expect_error "bad --mask" "expected I:J" "$BIN" run --model "$FIX/tiny-bert" "the cat" --mask 3
expect_error "layer out of range" "layer 7 does not exist (the model has layers 1-" "$BIN" run --model "$FIX/tiny-bert" "the cat" --layers 7 --attn "$T/x.attn.safetensors"
expect_error "layer 0" "layer 0 does not exist (the model has layers 1-" "$BIN" run --model "$FIX/tiny-bert" "the cat" --layers 0 --attn "$T/x.attn.safetensors"
expect_error "head 0" "head 0 does not exist (the model has heads 1-" "$BIN" run --model "$FIX/tiny-bert" "the cat" --heads 0 --attn "$T/x.attn.safetensors"
# align's --layer/--head count from 1 too (tiny-marian has 2 layers of 4 heads; token ids in, no tokenizer).
echo "5 17 42" > "$T/ids.src"; echo "5 17" > "$T/ids.tgt"
"$BIN" align --model "$FIX/tiny-marian" "$T/ids.src" "$T/ids.tgt" --layer 2 --head 4 2>/dev/null | grep -qE '^[0-9]+-[0-9]+' \
  && ok "align --layer 2 --head 4 (the last of each)" || fail "align --layer 2 --head 4"
expect_error "align layer 0" "--layer 0: no such layer (the model has layers 1-2" "$BIN" align --model "$FIX/tiny-marian" "$T/ids.src" "$T/ids.tgt" --layer 0
expect_error "align head 5" "--head 5: no such head (the model has heads 1-4" "$BIN" align --model "$FIX/tiny-marian" "$T/ids.src" "$T/ids.tgt" --head 5
expect_error "no tokenizer" "no tokenizer for tiny-llama" "$BIN" run --model "$FIX/tiny-llama" "hello"
mkdir -p "$T/t5" && cp "$FIX/tiny-bert/"* "$T/t5/" && sed -i 's/"model_type": "bert"/"model_type": "t5"/' "$T/t5/config.json"
expect_error "unknown model_type" 'config.json: model_type "t5"' "$BIN" run --model "$T/t5" "hello"
mkdir -p "$T/nocfg" && cp "$FIX/tiny-bert/model.safetensors" "$T/nocfg/"
expect_error "missing config.json" "config.json is missing" "$BIN" run --model "$T/nocfg" "hello"

echo "$passed passed, $failures failed"
[ "$failures" -eq 0 ]
