#!/usr/bin/env bash
# docs/gallery's English-German pictures: the trained model's last-layer cross-attention for five
# test_2016_flickr sentences, every head (one figure per sentence) and the mean of heads (one
# gallery), subword pieces merged into words.
#   tools/en_de_gallery.sh [BIN] [MODEL_DIR] [OUT_DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BIN=${1:-build/attnscope} MODEL=${2:-models/en-de} OUT=${3:-docs/gallery}
D="$here/../../shared/data/multi30k"
[ -f "$D/test_2016_flickr.en.gz" ] || { echo "skipped: ../shared not found"; exit 0; }
layer=$(sed -n 's/.*"layers": \([0-9]*\).*/\1/p' "$MODEL/config.json")  # the last, counted from 1 as --layer counts
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
zcat "$D/test_2016_flickr.en.gz" | sed -n '1p;3p;5p;7p;9p' >"$T/five.en"
"$BIN" run --model "$MODEL" - --attn "$T/five.attn.safetensors" <"$T/five.en" >"$T/five.de" 2>/dev/null
paste -d '\n' "$T/five.en" "$T/five.de" | sed 's/^/  /'
for i in 0 1 2 3 4; do
  "$BIN" render "$T/five.attn.safetensors" --run $i --view heads --kind cross --layer "$layer" --merge words \
    -o "$OUT/en-de-cross-heads-$((i + 1)).png" >/dev/null
done
"$BIN" render "$T/five.attn.safetensors" --view gallery --kind cross --layer "$layer" --merge words \
  -o "$OUT/en-de-cross-mean-gallery.png" >/dev/null
echo "written: $OUT/en-de-cross-heads-{1..5}.png and $OUT/en-de-cross-mean-gallery.png"
