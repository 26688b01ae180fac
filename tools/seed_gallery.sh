#!/usr/bin/env bash
# docs/gallery.md's figures: each seed's figure (/work/shared/seeds/00N_*.txt) redrawn by attnscope
# from its own trained models and data, named after the seed (seed-000-heads.png, ...).
#   tools/seed_gallery.sh [BIN] [OUT_DIR]        (default build/attnscope docs/gallery)
# A missing model or ../shared is skipped with a line saying so (and how to train the model);
# nothing else is touched. Runs from the repository root whatever the caller's directory, so the
# figures name models by their relative paths (models/en-de), not this machine's.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
B=${1:-build/attnscope}  # as the user wrote it, for the lines that say how to train a model
BIN=$(realpath -m "${1:-$root/build/attnscope}") OUT=$(realpath -m "${2:-$root/docs/gallery}")
cd "$root"
[ -x "$BIN" ] || { echo "skipped: $B not found (build it with: cmake -S . -B build && make -C build attnscope)"; exit 0; }
mkdir -p "$OUT"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
D=../shared/data/multi30k

# have DIR "HOW": true when DIR holds a trained model, else says how to make it.
have() {
  [ -f "$1/config.json" ] && [ -f "$1/model.safetensors" ] && return 0
  echo "skipped: $1 not found (train it with: $2)"
  return 1
}
# The commands' chatter goes to a log, shown when one fails (which stops the script).
run() { "$BIN" run "$@" >>"$T/log" 2>&1 || { cat "$T/log" >&2; return 1; }; }
render() { "$BIN" render "$@" >>"$T/log" 2>&1 || { cat "$T/log" >&2; return 1; }; }
# fig NAME RENDER-ARGS...: draws $OUT/NAME and says so.
fig() { local name=$1; shift; render "$@" -o "$OUT/$name"; echo "written: $OUT/$name"; }

# --- seed 000: every head of a small Transformer, and the lines view --------------------------
M=build/test-models/reverse-transformer
if have $M "$B train --task reverse --arch transformer --layers 2 --heads 4 --out $M"; then
  run --model $M monojitcnn --attn "$T/000.attn.safetensors"
  fig seed-000-heads.png "$T/000.attn.safetensors" --view heads
  fig seed-000-lines.png "$T/000.attn.safetensors" --view lines
fi

# --- seed 001: En->De cross attention, original and [MASK]ed, colours 0.2-0.8 -----------------
M=models/en-de
if [ ! -d ../shared ]; then
  echo "skipped: ../shared not found (seed 001's Multi30k sentence)"
elif have $M "bench/translate $B --minutes 50"; then
  # A test caption from the model's domain with its last words masked, as the seed masks its own.
  line=$(zcat $D/test_2016_flickr.en.gz | sed -n 5p)  # People are fixing the roof of a house.
  run --model $M "$line" --mask-words roof,of,a,house --attn "$T/001a.attn.safetensors"
  fig seed-001-compare.png "$T/001a.attn.safetensors" --view compare --vmin 0.2 --vmax 0.8
  # The seed's own sentence, far from Multi30k's captions; the last five words masked (--mask
  # counts the model's pieces: la@@ ws of the uni@@ vers@@ e@@ ? are 11-18).
  run --model $M "What are the basic physical laws of the universe?" --mask 11:19 --attn "$T/001b.attn.safetensors"
  fig seed-001-seed-sentence.png "$T/001b.attn.safetensors" --view compare --vmin 0.2 --vmax 0.8
fi

# --- seed 002: 12 layers x 12 heads of encoder self-attention, layer 8 head 8 in detail ------
M=models/en-de-12x12
if have $M "$B train --task translate --src $D/train.en.gz --tgt $D/train.de.gz --valid-src $D/val.en.gz --valid-tgt $D/val.de.gz --layers 12 --heads 12 --d-model 96 --ff 384 --minutes 25 --threads 1 --out $M"; then
  # The seed's "<CHI> painted a picture of a horse <CHI> my favorite animal is the" in words the
  # model's vocabulary holds (<CHI>, "my" and "favorite" are not in it): 8 + 8 words.
  run --model $M "A child painted a picture of a horse and the child says the horse is the" \
    --attn "$T/002.attn.safetensors"
  fig seed-002-grid.png "$T/002.attn.safetensors" --view grid --kind encoder-self --highlight 8,8 \
    --spans "0-7:<ENV>,8-15:<LAN>" --colorbar-title Saliency --vmin 0 --vmax 0.3
fi

# --- seed 003: the five toy tasks on the seed's inputs, the nine date formats, the model -------
for task in reverse shift-left:4 shift-right:3 sort dates; do
  name=${task/:/-}
  M=build/test-models/$name
  have $M "$B train --task $task --out $M" || continue
  case $task in
    sort) inputs=("1, 9, 4, 3, 8, 7, 5, 6") ;;
    dates) inputs=("Thrusday, October 13 2011" "28 March 2005") ;;
    *) inputs=(monojitcnn) ;;
  esac
  for i in "${!inputs[@]}"; do
    f=seed-003-$name.png
    [ ${#inputs[@]} -eq 1 ] || f=seed-003-$name-$((i + 1)).png
    run --model $M "${inputs[$i]}" --png "$OUT/$f"
    echo "written: $OUT/$f"
  done
  if [ $task = dates ]; then  # 30 July 2021 in the seed's nine formats, one panel each
    printf '%s\n' "7 30 21" "July 30, 2021" "Jul 30, 2021" "Friday, July 30, 2021" "30 Jul 2021" "30 July 2021" \
      "30 07 2021" "Fri 30 Jul 2021" "Friday 30 July 2021" >"$T/dates.txt"
    run --model $M - --attn "$T/dates.attn.safetensors" <"$T/dates.txt"
    fig seed-003-dates-gallery.png "$T/dates.attn.safetensors" --view gallery
  fi
  if [ $task = reverse ]; then
    fig seed-003-architecture.png --view architecture --model $M
  fi
done

# --- seed 004: step by step; global against local-p attention; the local-p model -------------
G=models/reverse-global L=models/reverse-local-p
if have $G "$B train --task reverse --scope global --steps 3000 --out $G"; then
  run --model $G monojitcnn --attn "$T/004g.attn.safetensors"
  fig seed-004-steps.png "$T/004g.attn.safetensors" --view steps
  fig seed-004-global.png "$T/004g.attn.safetensors"
fi
if have $L "$B train --task reverse --scope local-p --window 2 --steps 3000 --out $L"; then
  run --model $L monojitcnn --attn "$T/004l.attn.safetensors"
  fig seed-004-local-p.png "$T/004l.attn.safetensors"
  fig seed-004-local-p-steps.png "$T/004l.attn.safetensors" --view steps
  fig seed-004-architecture.png --view architecture --model $L
fi
