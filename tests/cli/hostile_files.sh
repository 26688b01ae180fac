#!/usr/bin/env bash
# Hostile inputs (docs/robustness.md): files nested 100,000 levels deep, zip bombs, sizes declared
# but not held, numbers past int, empty axes. Each must fail with one line naming the file and
# what is wrong, a non-zero exit, no crash, and a small peak memory (the files are a few MB; what
# they declare is gigabytes). The files come from hostile_files.py, one at a time.
set -uo pipefail
BIN=$(realpath "$1")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
failures=0; passed=0
source "$HERE/../lib.sh"

MAX_PEAK_MB=300
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "note: no $TIME, peak memory is not checked"; TIME=; }
# The address-space cap; under AddressSanitizer (make test-sanitize) none, and no peak check:
# ASan reserves terabytes of address space for its shadow and keeps freed memory in quarantine.
CAP="ulimit -v 4000000"
if ldd "$BIN" 2>/dev/null | grep -q libasan; then
  echo "note: AddressSanitizer build: no address-space cap, peak memory not checked"; CAP=true; TIME=
fi

# hostile FILE NEEDLE ARGS...: makes FILE, runs attnscope ARGS (in $T) under a 4 GB address-space
# cap, wants one error line holding NEEDLE and a peak under MAX_PEAK_MB; then removes FILE.
hostile() {
  local file=$1 needle=$2
  shift 2
  python3 "$HERE/hostile_files.py" "$T" "$file" || { fail "$file: could not write it"; return; }
  if [ -n "$TIME" ]; then
    (cd "$T" && $CAP && expect_error "$file" "$needle" "$TIME" -o "$T/peak" -f %M "$BIN" "$@"
     echo "$passed $failures" > "$T/counts")
    read -r passed failures < "$T/counts"
    local kb
    kb=$(tail -1 "$T/peak")
    if [ "$kb" -gt $((MAX_PEAK_MB * 1024)) ] 2>/dev/null; then fail "$file: peak memory $((kb / 1024)) MB (limit $MAX_PEAK_MB MB)"
    else ok "$file: peak memory $((kb / 1024)) MB"; fi
  else
    (cd "$T" && $CAP && expect_error "$file" "$needle" "$BIN" "$@"; echo "$passed $failures" > "$T/counts")
    read -r passed failures < "$T/counts"
  fi
  rm -rf "${T:?}/$file" "$T/out.attn.safetensors" "$T/out.png"
}

# 1. Nesting.
hostile deep.json "deep.json: JSON nests deeper than 512 levels" import deep.json --index-tokens -o out.attn.safetensors
hostile deep_object.json "deep_object.json: JSON nests deeper than 512 levels" import deep_object.json -o out.attn.safetensors
python3 "$HERE/hostile_files.py" "$T" normal.npy
hostile deep_tokens.json "deep_tokens.json: JSON nests deeper than 512 levels" import normal.npy --tokens deep_tokens.json -o out.attn.safetensors
hostile deep_config "config.json: JSON nests deeper than 512 levels" render --view architecture --model deep_config -o out.png
hostile deep.npy "deep.npy: bad .npy header at character 96: nests deeper than 32 levels" import deep.npy --index-tokens -o out.attn.safetensors

# 2. Declared sizes.
hostile bomb_tokens.npz "text array 'tokens.npy' holds 805306368 tokens, more than the longest attention axis (2)" \
  import bomb_tokens.npz -o out.attn.safetensors
hostile bomb_long_axis.npz "text array 'tokens.npy' declares 134217728 tokens in" import bomb_long_axis.npz -o out.attn.safetensors
hostile bomb_query.npz "bomb_query.npz: member 'cross.0.q.npy' inflates to 3221225598 bytes" \
  import bomb_query.npz --index-tokens -o out.attn.safetensors
hostile empty_runs.attn.safetensors "\"runs\" lists 1000000 runs but the file holds only 1 tensor(s)" \
  render empty_runs.attn.safetensors -o out.png
hostile two_billion_heads.attn.safetensors "block cross.0: shape [2000000000, 0, 0] (heads, queries, keys) has an empty axis" \
  render two_billion_heads.attn.safetensors --view grid -o out.png
hostile huge_itemsize.npy "huge_itemsize.npy: dtype '<U99999999999999999999' declares an item size over" \
  import huge_itemsize.npy --index-tokens -o out.attn.safetensors
hostile wrapping_itemsize.npy "wrapping_itemsize.npy: dtype '<U4611686018427387904' declares an item size over" \
  import wrapping_itemsize.npy --index-tokens -o out.attn.safetensors
hostile zero_itemsize.npy "zero_itemsize.npy: dtype '|S0' has items of zero bytes" import zero_itemsize.npy -o out.attn.safetensors

# 3. Numbers past int.
hostile layer_past_int.attn.safetensors "block name 'cross.99999999999' does not end in a layer number" \
  render layer_past_int.attn.safetensors -o out.png

# 4. Empty axes draw nothing: refused, not an empty figure with exit 0.
hostile zero_heads.attn.safetensors "block cross.0: shape [0, 2, 2] (heads, queries, keys) has an empty axis" \
  render zero_heads.attn.safetensors --view grid -o out.png
hostile zero_keys.npy "array 'zero_keys' has shape [1, 2, 0] with an empty axis" import zero_keys.npy --index-tokens -o out.attn.safetensors

[ -e "$T/out.png" ] && fail "a refused render left out.png behind"
echo "hostile_files: $passed passed, $failures failed"
[ "$failures" -eq 0 ]
