#!/usr/bin/env bash
# attnscope tokenize with the real BERT, GPT-2 and Marian tokenizers (../shared/tokenizers): ids
# and pieces for each, --special, stdin and files, and one-line errors for broken folders.
# (llama2.c's tok512.bin: tests/cli/llama_tokenize.sh.) Skips when ../shared is absent.
set -uo pipefail
BIN=$1
TOK="${ATTNSCOPE_SOURCE_DIR:-.}/../shared/tokenizers"
if [ ! -d "$TOK/gpt2" ]; then echo "skipped: ../shared not found"; exit 0; fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
failures=0; passed=0

source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
tok() { "$BIN" tokenize --tokenizer "$@"; }

# BERT (ids: line numbers of bert-base-uncased/vocab.txt, from 0).
expect "bert ids" "101 7592 1010 2088 999 102" "$(printf 'Hello, World!' | tok "$TOK/bert-base-uncased" --ids --special)"
expect "bert accents" "15743 7668" "$(printf 'naïve café' | tok "$TOK/bert-base-uncased" --ids)"
expect "bert pieces" "$(printf '[CLS]\nthe\n[MASK]\nsat\n.\n[SEP]')" \
  "$(printf 'The [MASK] sat.' | tok "$TOK/bert-base-uncased" --special)"
expect "bert continuation pieces" "$(printf 'token\n##ization')" "$(printf 'tokenization' | tok "$TOK/bert-base-uncased/vocab.txt")"
expect "bert empty" "101 102" "$(printf '' | tok "$TOK/bert-base-uncased" --ids --special)"

# GPT-2 (ids from gpt2/vocab.json).
expect "gpt2 ids" "15496 995" "$(printf 'Hello world' | tok "$TOK/gpt2" --ids)"
expect "gpt2 adds no specials" "15496 995" "$(printf 'Hello world' | tok "$TOK/gpt2" --ids --special)"
expect "gpt2 two spaces" "220 734 9029" "$(printf '  two spaces' | tok "$TOK/gpt2" --ids)"
expect "gpt2 pieces" "$(printf 'Hello\nĠworld\nĊ')" "$(printf 'Hello world\n' | tok "$TOK/gpt2")"
printf '🦙' > "$T/emoji.txt"
expect "gpt2 emoji from a file" "8582 99 247" "$(tok "$TOK/gpt2" --ids "$T/emoji.txt")"
expect "gpt2 empty" "" "$(printf '' | tok "$TOK/gpt2" --ids)"

# Marian (ids from opus-mt-en-mg/vocab.json; </s> = 0 with --special).
expect "marian ids" "7 11 15 4 0" "$(printf 'the of and.' | tok "$TOK/opus-mt-en-mg" --ids --special)"
expect "marian pieces" "$(printf '▁the\n▁world\n</s>')" "$(printf 'the world' | tok "$TOK/opus-mt-en-mg" --special)"

# Broken folders: one line naming the file.
mkdir -p "$T/gpt2"
cp "$TOK/gpt2/vocab.json" "$T/gpt2/"
printf '#version: 0.2\nĠ t\nh e x\n' > "$T/gpt2/merges.txt"
expect_error "merges line with 3 fields" "merges.txt line 3: expected 2 fields" tok "$T/gpt2" "$T/emoji.txt"
printf '{"a": 0,' > "$T/gpt2/vocab.json"
expect_error "malformed vocab.json" "vocab.json: not valid JSON" tok "$T/gpt2" "$T/emoji.txt"
rm "$T/gpt2/vocab.json"
expect_error "missing vocab.json" "vocab.json: no such file" tok "$T/gpt2" "$T/emoji.txt"
mkdir -p "$T/marian"
cp "$TOK/opus-mt-en-mg/vocab.json" "$T/marian/"
head -c 4096 "$TOK/opus-mt-en-mg/source.spm" > "$T/marian/source.spm"
expect_error "truncated source.spm" "source.spm: not a readable SentencePiece model" tok "$T/marian" "$T/emoji.txt"
mkdir -p "$T/bert"
cp "$TOK/bert-base-uncased/tokenizer_config.json" "$T/bert/"
expect_error "bert folder without vocab.txt" "no tokenizer found" tok "$T/bert" "$T/emoji.txt"

echo "$passed passed, $failures failed"
[ "$failures" -eq 0 ]
