#!/usr/bin/env bash
# attnscope tokenize with llama2.c's tok512.bin: ids and pieces as run.c encodes them, stdin and
# files, --special, and one-line errors. Skips when ../shared (the model files) is absent.
set -uo pipefail
BIN=$1
MODEL="${ATTNSCOPE_SOURCE_DIR:-.}/../shared/models/stories260K"
if [ ! -f "$MODEL/tok512.bin" ]; then echo "skipped: ../shared not found"; exit 0; fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
failures=0; passed=0

source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# Expected ids: llama2.c run.c's encode (tests/fixtures/stories260K/encodings.json).
expect "ids with BOS" "1 403 407 261 378" "$(printf 'Once upon a time' | "$BIN" tokenize --tokenizer "$MODEL" --ids --special)"
expect "ids without BOS" "403 407 261 378" "$(printf 'Once upon a time' | "$BIN" tokenize --tokenizer "$MODEL/tok512.bin" --ids -)"
printf 'naïve café' > "$T/in.txt"
expect "non-ASCII from a file" "297 412 198 178 360 280 412 431 485" "$("$BIN" tokenize --tokenizer "$MODEL" --ids "$T/in.txt")"
expect "empty input" "" "$(printf '' | "$BIN" tokenize --tokenizer "$MODEL" --ids)"
expect "empty input, BOS" "1" "$(printf '' | "$BIN" tokenize --tokenizer "$MODEL" --ids --special)"
# Pieces: one per line, leading spaces kept, newlines inside the text as byte pieces.
expect "pieces" "$(printf '<s>\n Once\n upon\n a\n time')" \
  "$(printf 'Once upon a time' | "$BIN" tokenize --tokenizer "$MODEL" --special)"
expect "byte fallback piece" "<0xF0>" "$(printf '🦙' | "$BIN" tokenize --tokenizer "$MODEL" | sed -n 2p)"
expect "newline is a byte piece" "<0x0A>" "$(printf 'a\nb' | "$BIN" tokenize --tokenizer "$MODEL" | grep -F '<0x0A>')"

expect_error "no tokenizer flag" "--tokenizer PATH is required" "$BIN" tokenize "$T/in.txt"
mkdir -p "$T/empty"
expect_error "folder without tokenizer" "no tokenizer found" "$BIN" tokenize --tokenizer "$T/empty" "$T/in.txt"
expect_error "unknown tokenizer file" "not a tokenizer attnscope knows" "$BIN" tokenize --tokenizer "$T/in.txt" "$T/in.txt"
head -c 1000 "$MODEL/tok512.bin" > "$T/tok512.bin"
expect_error "truncated tokenizer" "tok512.bin: piece" "$BIN" tokenize --tokenizer "$T/tok512.bin" "$T/in.txt"
expect_error "missing input" "cannot open the input file" "$BIN" tokenize --tokenizer "$MODEL" "$T/nope.txt"

echo "$passed passed, $failures failed"
[ "$failures" -eq 0 ]
