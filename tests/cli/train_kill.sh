#!/usr/bin/env bash
# Training survives SIGKILL (docs/robustness.md): an RNN, a Transformer and a translation model
# are killed with kill -9 at random moments (checkpoints are written every few steps, so many
# kills land during a write). After every kill the folder either loads (its last complete
# checkpoint) or says in one line that it holds none, and --resume continues (both asserted).
# Whether the killed-and-resumed run ends with the uninterrupted run's exact weights is printed,
# not asserted: it depends on where each kill lands (docs/robustness.md says when it differs).
# What is asserted exactly: a run stopped at a checkpoint and resumed ends with the same bytes
# as an uninterrupted one (the plateau schedule is part of the checkpoint).
set -uo pipefail
BIN=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
RANDOM=${KILL_SEED:-11}
KILLS=${KILLS:-4}

toy_parallel_corpus "$T" 300

# kind: rnn | transformer | translate; prints the train command's arguments for N steps into DIR.
args() {
  local kind=$1 steps=$2 dir=$3
  case $kind in
    rnn) echo train --task reverse --steps "$steps" --eval-every 3 --heldout 20 --quiet --out "$dir" ;;
    transformer) echo train --task reverse --arch transformer --layers 1 --heads 2 --d-model 32 --steps "$steps" \
                   --eval-every 3 --heldout 20 --quiet --out "$dir" ;;
    translate) echo train --task translate --src "$T/train.en" --tgt "$T/train.de" --layers 1 --heads 2 --d-model 32 \
                 --ff 64 --merges 60 --batch-tokens 600 --valid-sentences 10 --warmup 20 --threads 1 --dropout 0 \
                 --steps "$steps" --eval-every 3 --quiet --out "$dir" ;;
  esac
}
weights() { [ "$1" = translate ] && echo last.safetensors || echo model.safetensors; }
# The folder loads: run on it works, or it fails with one line naming the missing checkpoint.
check_loads() {
  local kind=$1 dir=$2 input=abcdef err lines
  [ "$kind" = translate ] && input="the dog runs."
  if err=$("$BIN" run --model "$dir" "$input" 2>&1 >/dev/null); then return 0; fi
  lines=$(printf '%s' "$err" | grep -c '')
  [ "$lines" -eq 1 ] && [ ! -f "$dir/train_state.json" ] && return 0  # killed before its first checkpoint
  echo "$err"; return 1
}

for kind in rnn transformer translate; do
  steps=90
  # shellcheck disable=SC2046
  start=$(date +%s%N); "$BIN" $(args $kind $steps "$T/$kind-ref") 2>/dev/null || { fail "$kind: uninterrupted run failed"; continue; }
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  w=$(weights $kind)
  survived=0 resumed=0 fresh=0
  for k in $(seq 1 "$KILLS"); do
    resume=(); [ -f "$T/$kind/train_state.json" ] && resume=(--resume) && resumed=$((resumed + 1))
    # shellcheck disable=SC2046
    "$BIN" $(args $kind $steps "$T/$kind") "${resume[@]}" 2>/dev/null &
    pid=$!
    r=$RANDOM  # read here: inside $(...) a subshell would reseed it, and KILL_SEED would not hold
    sleep "$(awk -v r="$r" -v ms="$ms" 'BEGIN { printf "%.3f", (20 + r % ms) / 1000 }')"
    kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
    if out=$(check_loads $kind "$T/$kind"); then survived=$((survived + 1)); else fail "$kind: after kill $k the folder does not load: $out"; fi
  done
  [ -f "$T/$kind/train_state.json" ] || fresh=1
  resume=(); [ "$fresh" = 0 ] && resume=(--resume)
  # shellcheck disable=SC2046
  "$BIN" $(args $kind $steps "$T/$kind") "${resume[@]}" 2>"$T/err" || { fail "$kind: finishing after the kills failed: $(tail -1 "$T/err")"; continue; }
  expect "$kind: $survived of $KILLS kills left a folder that loads" "$KILLS" "$survived"
  left=$(find "$T/$kind" -name '*.tmp-*' | wc -l)
  same="differs from"; cmp -s "$T/$kind-ref/$w" "$T/$kind/$w" && same="has the same bytes as"
  ok "$kind: killed $KILLS times (a run of ${ms} ms), resumed $resumed times, finished; its $w $same the uninterrupted run's ($left temp files of killed writes left)"
  # Stopped cleanly at step 45 (a checkpoint), resumed to the end: exactly the uninterrupted weights.
  # shellcheck disable=SC2046
  "$BIN" $(args $kind 45 "$T/$kind-split") 2>/dev/null && "$BIN" $(args $kind $steps "$T/$kind-split") --resume 2>/dev/null ||
    { fail "$kind: the split run failed"; continue; }
  if cmp -s "$T/$kind-ref/$w" "$T/$kind-split/$w"; then ok "$kind: stopped at 45 and resumed to $steps: the same $w bytes as the uninterrupted run"
  else fail "$kind: stopped at 45 and resumed to $steps: weights differ from the uninterrupted run"; fi
done
[ "$failures" -eq 0 ]
