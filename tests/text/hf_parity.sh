#!/usr/bin/env bash
# ctest text_hf_parity: bench/tokenizer_parity.py on the first 500 lines of each corpus (2,500
# texts per tokenizer), so every tokenizer attnscope reads is checked against Hugging Face's on
# real text in the test run. Prints "skipped: ..." and exits 0 without the venv or ../shared.
# usage: hf_parity.sh SOURCE_DIR BUILD/attnscope
set -euo pipefail
SRC=$1
BIN=$2
if [ ! -x "$SRC/.venv/bin/python" ]; then echo "skipped: .venv not found"; exit 0; fi
if [ ! -d "$SRC/../shared/data" ] || [ ! -d "$SRC/../shared/tokenizers" ]; then echo "skipped: ../shared not found"; exit 0; fi
WORK=$(mktemp -d /tmp/attnscope-hf-parity.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
"$SRC/.venv/bin/python" "$SRC/bench/tokenizer_parity.py" --bin "$BIN" --lines 500 --work "$WORK"
