#!/usr/bin/env bash
# `attnscope render --view architecture`: a trained RNN (local-p) and Transformer, the pretrained
# fixtures and llama2.c's stories260K drawn from their configs in every format; the bad inputs are
# one-line errors with the documented exit codes and write nothing. Also: a local-p model's run
# records p_t and the window, and its heatmap states the marks.
# Usage: bash tests/cli/render_architecture.sh /path/to/attnscope
set -u
BIN=${1:?usage: render_architecture.sh /path/to/attnscope}
SRC=${ATTNSCOPE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"  # has_magic; the script keeps its own fail
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }


# Draws MODEL as NAME.EXT and checks the figure; the SVG keeps its text, so it must name WANT...
draw() {
  local model=$1 name=$2 ext=$3; shift 3
  local out="$T/$name.$ext"
  printed=$("$BIN" render --view architecture --model "$model" -o "$out" 2> "$T/err") ||
    { fail "$name.$ext exited non-zero: $(cat "$T/err")"; return; }
  [ "$printed" = "$out" ] || fail "$name.$ext printed '$printed', expected the path"
  has_magic "$out" || fail "$name.$ext does not start with its format's magic"
}

"$BIN" train --task reverse --scope local-p --window 2 --hidden 32 --embedding 16 --steps 30 --eval-every 1000 \
  --heldout 20 --out "$T/lp" --quiet > /dev/null 2> "$T/err" || fail "training local-p exited non-zero: $(cat "$T/err")"
"$BIN" train --task reverse --arch transformer --layers 2 --heads 2 --d-model 32 --ff 64 --steps 10 --eval-every 1000 \
  --heldout 20 --out "$T/tf" --quiet > /dev/null 2> "$T/err" || fail "training transformer exited non-zero: $(cat "$T/err")"

for ext in png svg pdf; do draw "$T/lp" lp "$ext"; done
draw "$T/tf" tf png
for m in tiny-bert tiny-gpt2 tiny-llama tiny-marian; do draw "$SRC/tests/fixtures/$m" "$m" png; done
STORIES="$SRC/../shared/models/stories260K"
if [ -f "$STORIES/stories260K.bin" ]; then
  draw "$STORIES" stories png
  draw "$STORIES/stories260K.bin" stories-bin png
else
  echo "skipped stories260K: ../shared not found"
fi
echo "ok   architecture figures"

# Bad inputs: one line on stderr, the exit code, nothing written.
expect_error() {
  local want_rc=$1 want=$2; shift 2
  "$BIN" render "$@" > /dev/null 2> "$T/err"
  local rc=$?
  [ "$rc" -eq "$want_rc" ] || fail "render $* exited $rc, expected $want_rc"
  [ "$(wc -l < "$T/err")" -eq 1 ] || fail "render $* printed $(wc -l < "$T/err") lines on stderr: $(cat "$T/err")"
  grep -qF -- "$want" "$T/err" || fail "render $*: message lacks '$want': $(cat "$T/err")"
  [ -e "$T/bad.png" ] && fail "render $* wrote a figure"
  rm -f "$T/bad.png"
}
expect_error 2 "--view architecture needs --model" --view architecture -o "$T/bad.png"
expect_error 2 "$T/none: no such model folder or file" --view architecture --model "$T/none" -o "$T/bad.png"
mkdir -p "$T/empty" "$T/t5"
expect_error 1 "$T/empty: no config.json and no llama2.c checkpoint" --view architecture --model "$T/empty" -o "$T/bad.png"
echo '{"model_type": "t5"}' > "$T/t5/config.json"
expect_error 1 "$T/t5/config.json: model_type \"t5\" has no architecture diagram" --view architecture --model "$T/t5" -o "$T/bad.png"
echo '{"model_type": "bert", "vocab_size": 10}' > "$T/t5/config.json"
expect_error 1 "missing \"hidden_size\" (model_type bert needs it)" --view architecture --model "$T/t5" -o "$T/bad.png"
expect_error 1 "unknown output extension" --view architecture --model "$T/lp" -o "$T/bad.gif"
expect_error 2 "--model is read by --view architecture only" --view heatmap --model "$T/lp" -o "$T/bad.png"
echo "ok   bad inputs"

# Local-p: p_t recorded per step inside the source, the window in the meta, marks stated.
"$BIN" run --model "$T/lp" "abcdef" --attn "$T/lp.attn.safetensors" --png "$T/lp-heatmap.png" > /dev/null 2> "$T/err" ||
  fail "run on the local-p model exited non-zero: $(cat "$T/err")"
has_magic "$T/lp-heatmap.png" || fail "run --png wrote no heatmap"
python3 - "$T/lp.attn.safetensors" <<'EOF' || fail "local-p attention file lacks a valid position extra or window"
import json, struct, sys
with open(sys.argv[1], "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    header = json.loads(f.read(n))
    data = f.read()
meta = json.loads(header["__metadata__"]["meta"])
assert meta["scope"] == "local-p" and meta["window"] == "2", meta
run = json.loads(header["__metadata__"]["runs"])[0]
pos = header["cross.0.position"]
queries, keys = header["cross.0"]["shape"][1:]
assert pos["dtype"] == "F32" and pos["shape"] == [queries, 1], pos
begin, end = pos["data_offsets"]
values = struct.unpack("<%df" % queries, data[begin:end])
assert all(0 <= v < keys for v in values), (values, keys)
assert keys == len(run["source_tokens"]), (keys, run["source_tokens"])
EOF
echo "ok   local-p records p_t and the window"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all render_architecture checks passed"
