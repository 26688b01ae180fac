#!/usr/bin/env bash
# `make run`: trains one model per seed-003 task (reused once trained), runs the seed's example
# inputs through them and writes their attention heatmaps to out/.
set -euo pipefail
BIN=${1:-build/attnscope}
cd "$(dirname "$0")/.."
mkdir -p models out

# task spec -> model folder
TASKS=("reverse:reverse" "shift-left:4:shift-left-4" "shift-right:3:shift-right-3" "sort:sort" "dates:dates")

for entry in "${TASKS[@]}"; do
  dir=models/${entry##*:}
  task=${entry%:*}
  if [ -f "$dir/model.safetensors" ] && [ -f "$dir/train_state.json" ]; then
    echo "== $task: reusing $dir ($("$BIN" eval --model "$dir"))"
  else
    echo "== $task: training into $dir"
    rm -rf "$dir"
    "$BIN" train --task "$task" --out "$dir"
  fi
done

declare -A INPUTS=(
  [reverse]="monojitcnn"
  [shift-left-4]="monojitcnn"
  [shift-right-3]="monojitcnn"
  [sort]="1, 9, 4, 3, 8, 7, 5, 6"
)
written=()
for name in reverse shift-left-4 shift-right-3 sort; do
  input=${INPUTS[$name]}
  output=$("$BIN" run --model "models/$name" "$input" --png "out/$name.png" --attn "out/$name.attn.safetensors" 2>/dev/null)
  printf '%-14s %-26s -> %s\n' "$name" "$input" "$output"
  written+=("out/$name.png")
done
for input in "Thrusday, October 13 2011" "28 March 2005"; do
  slug=$(echo "$input" | tr 'A-Z, ' 'a-z__' | tr -s _)
  output=$("$BIN" run --model models/dates "$input" --png "out/dates-$slug.png" --attn "out/dates-$slug.attn.safetensors" 2>/dev/null)
  printf '%-14s %-26s -> %s\n' dates "$input" "$output"
  written+=("out/dates-$slug.png")
done
# Seed 003's gallery: the nine formats of 30 July 2021 in one figure.
printf '%s\n' "7 30 21" "July 30, 2021" "Jul 30, 2021" "Friday, July 30, 2021" "30 Jul 2021" \
  "30 July 2021" "30 07 2021" "Fri 30 Jul 2021" "Friday 30 July 2021" |
  "$BIN" run --model models/dates - --png out/dates-gallery.png --attn out/dates-gallery.attn.safetensors >/dev/null 2>&1
written+=("out/dates-gallery.png")

# Seed 001: an English-German Transformer, when one has been trained into models/en-de
# (bench/translate trains it on ../shared/data/multi30k; docs/translation.md says how).
if [ -f models/en-de/model.safetensors ]; then
  sentence="A little girl climbing into a wooden playhouse."
  output=$("$BIN" run --model models/en-de "$sentence" --png out/en-de.png --attn out/en-de.attn.safetensors 2>/dev/null)
  printf '%-14s %s\n%-14s -> %s\n' en-de "$sentence" "" "$output"
  "$BIN" run --model models/en-de "$sentence" --mask-words "girl" --png out/en-de-masked.png >/dev/null 2>&1
  written+=("out/en-de.png" "out/en-de-masked.png")
else
  echo "en-de          (no models/en-de: run bench/translate to train the English-German Transformer)"
fi

echo
echo "heatmaps:"
printf '  %s\n' "${written[@]}"

# The live viewer on the models just trained and the files above; Ctrl-C stops it. Started only
# when stdin is a terminal or ATTNSCOPE_SERVE=1 (ATTNSCOPE_SERVE=0 never), so scripts and CI
# finish instead of waiting on a server. Port: ATTNSCOPE_PORT (default 8080; any free one if taken).
serve=${ATTNSCOPE_SERVE:-auto}
if [ "$serve" = 1 ] || { [ "$serve" = auto ] && [ -t 0 ]; }; then
  models=()
  for entry in "${TASKS[@]}"; do models+=(--model "models/${entry##*:}"); done
  echo
  echo "viewer: every model above, and out/*.attn.safetensors; open the address below (Ctrl-C stops it)"
  port=${ATTNSCOPE_PORT:-8080}
  if ! "$BIN" serve "${models[@]}" out/*.attn.safetensors --port "$port" 2>"out/.serve.err"; then
    if grep -q "cannot listen" out/.serve.err; then
      echo "(port $port is taken: using a free one)"
      "$BIN" serve "${models[@]}" out/*.attn.safetensors --port 0
    else
      cat out/.serve.err >&2; exit 1
    fi
  fi
  rm -f out/.serve.err
else
  echo
  echo "viewer: not started (stdin is not a terminal). Start it with: ATTNSCOPE_SERVE=1 make run, or"
  echo "  $BIN serve --model models/dates --model models/reverse out/*.attn.safetensors"
fi
