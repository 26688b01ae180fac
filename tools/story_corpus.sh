#!/usr/bin/env bash
# Writes a corpus of stories the model generates itself, one per line, from varied openings
# (greedy decoding from BOS alone would give the same story every time).
# usage: tools/story_corpus.sh ATTNSCOPE MODEL N OUT.txt [NEW_TOKENS]
set -euo pipefail
BIN=$1 MODEL=$2 N=$3 OUT=$4 NEW=${5:-96}
subjects=(Tim Lily "a little dog" "a small bird" Ben Sue "the old man" "a big bear" Mia "a tiny cat"
          Max Anna "a red car" "the sun" "a happy frog" Sam)
verbs=("wanted to" "was sad because" "found a" "liked to play with" "went to the park with" "saw a"
       "did not want to" "made a")
tmp="$OUT.tmp-$$"
: > "$tmp"
for ((i = 0; i < N; i++)); do
  s=${subjects[$((i % ${#subjects[@]}))]}
  v=${verbs[$(((i / ${#subjects[@]}) % ${#verbs[@]}))]}
  "$BIN" run --model "$MODEL" "One day, $s $v" --max-new-tokens "$NEW" | tr '\n' ' ' | sed 's/  */ /g; s/ $//' >> "$tmp"
  echo >> "$tmp"
done
mv "$tmp" "$OUT"
