#!/usr/bin/env bash
# Ctrl-C during training saves a checkpoint and exits cleanly; --resume continues from it;
# eval and run work on the result; run's JSON has the documented shape.
set -uo pipefail
BIN=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$BIN" train --task sort --out "$T/m" --steps 100000 --eval-every 50 --heldout 50 --quiet 2>"$T/err" &
pid=$!
# Wait for the first checkpoint, then interrupt.
for _ in $(seq 1 600); do [ -f "$T/m/train_state.json" ] && break; sleep 0.1; done
sleep 0.5
kill -INT $pid
wait $pid; rc=$?
[ "$rc" -eq 130 ] || fail "interrupted training exited $rc, expected 130"
grep -q "interrupted at step" "$T/err" || fail "no interruption message: $(cat "$T/err")"
step=$(sed -n 's/.*"step": \([0-9]*\).*/\1/p' "$T/m/train_state.json")
[ "$step" -gt 0 ] || fail "checkpoint has no steps"
ls "$T/m" | grep -q tmp- && fail "temporary files left in the model folder"
echo "ok   interrupted at step $step with a checkpoint"

"$BIN" train --task sort --out "$T/m" --steps $((step + 20)) --eval-every 10 --heldout 50 --resume --quiet 2>/dev/null || fail "resume failed"
step2=$(sed -n 's/.*"step": \([0-9]*\).*/\1/p' "$T/m/train_state.json")
[ "$step2" -eq $((step + 20)) ] || fail "resumed run ended at step $step2, expected $((step + 20))"
echo "ok   resumed to step $step2"

"$BIN" train --task reverse --out "$T/m" --resume --quiet 2>"$T/err2" && fail "resuming with another task succeeded"
grep -q "was trained on sort" "$T/err2" || fail "unclear message: $(cat "$T/err2")"
echo "ok   resume refuses a different task"

"$BIN" eval --model "$T/m" | grep -q "held-out exact match" || fail "eval printed nothing"
json=$("$BIN" run --model "$T/m" "3, 1, 2" --json) || fail "run --json failed"
for key in '"input":"3, 1, 2"' '"output":' '"input_tokens":' '"output_tokens":' '"attention":[['; do
  grep -qF "$key" <<<"$json" || fail "run --json lacks $key: $json"
done
lines=$(printf '3, 1, 2\n987\n' | "$BIN" run --model "$T/m" - --json --attn "$T/two.attn.safetensors" | grep -c '"output"')
[ "$lines" -eq 2 ] || fail "stdin batch gave $lines JSON lines, expected 2"
[ -s "$T/two.attn.safetensors" ] || fail "no attention file written"
echo "ok   eval, run --json, stdin batch, --attn"
echo "train_resume: 4 passed, 0 failed"
