#!/usr/bin/env bash
# Trains one model per toy task with default settings (reused if already trained in this build
# folder), then runs the accuracy and attention tests against them.
set -euo pipefail
BIN=$1 TESTS=$2 DIR=$3
mkdir -p "$DIR"
# The Transformer: 2 layers, 4 heads, d_model 128. With d_model 64 it solves the task
# (99.8%) but its best cross head reads the mirrored position for only 85% of outputs; at 128 and
# 3,000 steps three heads of layer 1 do for 99%+. It trains on the second core while the RNNs
# train one after another on the first (each training uses one thread).
tf=$DIR/reverse-transformer tf_pid=
if [ ! -f "$tf/train_state.json" ]; then
  rm -rf "$tf"
  ( start=$SECONDS
    "$BIN" train --task reverse --arch transformer --layers 2 --heads 4 --d-model 128 --steps 3000 --eval-every 200 \
      --out "$tf" --quiet
    echo "trained the reverse Transformer in $((SECONDS - start)) s" ) &
  tf_pid=$!
  trap 'kill "$tf_pid" 2>/dev/null || true' EXIT  # a failed RNN training must not leave it running
fi
for entry in reverse:reverse shift-left:4:shift-left-4 shift-right:3:shift-right-3 sort:sort dates:dates; do
  task=${entry%:*} out=$DIR/${entry##*:}
  if [ ! -f "$out/train_state.json" ]; then
    rm -rf "$out"
    start=$SECONDS
    "$BIN" train --task "$task" --out "$out" --quiet
    echo "trained $task in $((SECONDS - start)) s"
  fi
done
[ -z "$tf_pid" ] || wait "$tf_pid"
ATTNSCOPE_TRAINED_MODELS=$DIR "$TESTS" --gtest_filter='Tasks/TrainedTask.*:TrainedAttention.*:NineFormats/*:TrainedDates.*:TrainedTransformer.*:TrainedTranslation.*'
# Seed 001 on the dates model from the command line: both runs share one target (same rows), so
# the compare figure's difference is defined (tests/render checks the renderer draws it then).
json=$("$BIN" run --model "$DIR/dates" "Friday 30 July 2021" --mask 0:6 --json 2>/dev/null) || { echo "FAIL: run --mask on dates"; exit 1; }
/usr/bin/python3 -c '
import json, sys
j = json.loads(sys.argv[1])
o, m = j["original"], j["masked"]
assert o["output_tokens"] == m["output_tokens"] and len(o["attention"]) == len(m["attention"]), "rows differ"
assert m["input_tokens"][:6] != o["input_tokens"][:6] and m["stopped"] == "forced", "not masked or not forced"
' "$json" || { echo "FAIL: dates masked comparison: $json" | head -c 600; exit 1; }
echo "ok   dates: run --mask 0:6: the masked run is forced onto the original target (same rows)"
