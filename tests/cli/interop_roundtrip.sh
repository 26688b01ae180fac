#!/usr/bin/env bash
# End-to-end interop: files written by numpy (.npy C and Fortran order, float32 and float16,
# .npz from savez and savez_compressed), a safetensors-layout file written with struct + json
# (F32, F16, BF16) and a bertviz-like JSON are imported, rendered, exported as NPY, JSON and CSV,
# and compared in numpy with the arrays that were written: the numbers must be identical.
# Then the errors: one line on stderr, non-zero exit, nothing written.
# Usage: bash tests/cli/interop_roundtrip.sh /path/to/attnscope
set -u
BIN=${1:?usage: interop_roundtrip.sh /path/to/attnscope}
PY=/usr/bin/python3  # Debian's python3 with python3-numpy; the python3 first on PATH may lack numpy
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
failures=0
passed=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok   $*"; passed=$((passed + 1)); }

if ! "$PY" -c "import numpy" 2> /dev/null; then
  echo "FAIL: $PY cannot import numpy (install python3-numpy: scripts/install-deps.sh)"
  exit 1
fi

# --- 1. write the inputs with numpy; expected.npz holds what each import must give -------------
cd "$T" || exit 1
"$PY" - << 'EOF' || { echo "FAIL: the numpy generator failed"; exit 1; }
import json, struct
import numpy as np

rng = np.random.default_rng(0)
def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype(np.float32)

src = ["the", "cat", "sat", "</s>"]
tgt = ["le", "chat", "s'est", "assis", "</s>"]
expected = {}  # "<input file>:<block>" -> float32 [heads, q, k]

# .npy, float32, [layers, heads, q, k], C order and Fortran order
a = softmax(rng.normal(size=(2, 3, 4, 4)))
np.save("c_order.npy", a)
np.save("fortran.npy", np.asfortranarray(a))
assert np.lib.format.read_magic(open("fortran.npy", "rb")) and np.load("fortran.npy").flags.f_contiguous
for l in range(2):
    expected[f"c_order.npy:encoder-self.{l}"] = a[l]
    expected[f"fortran.npy:encoder-self.{l}"] = a[l]

# .npy, float16, [heads, q, k] cross attention
h = softmax(rng.normal(size=(2, 5, 4))).astype(np.float16)
np.save("half.npy", h)
expected["half.npy:cross.0"] = h.astype(np.float32)  # float16 -> float32 is exact

# .npz from savez (stored): per-layer [1, heads, q, k] arrays as Hugging Face returns them, with tokens
layers = [softmax(rng.normal(size=(1, 3, 4, 4))) for _ in range(3)]
np.savez("stored.npz", **{f"layer_{i}": x for i, x in enumerate(layers)}, tokens=np.array(src))
for i, x in enumerate(layers):
    expected[f"stored.npz:encoder-self.{i}"] = x[0]

# .npz from savez_compressed (deflate): names that map to blocks directly, float64 and Fortran inside
cross = softmax(rng.normal(size=(4, 5, 4)))
dec = softmax(rng.normal(size=(4, 5, 5)))
np.savez_compressed("compressed.npz", **{"cross.1": np.asfortranarray(cross), "decoder-self.0": dec.astype(np.float64)},
                    source_tokens=np.array(src), target_tokens=np.array(tgt))
expected["compressed.npz:cross.1"] = cross
expected["compressed.npz:decoder-self.0"] = dec

# safetensors layout by hand: 8-byte header length, JSON header, data. F32, F16 and BF16 tensors.
def bf16_bytes(x):
    return (x.astype(np.float32).view(np.uint32) >> 16).astype("<u2").tobytes()
st = [softmax(rng.normal(size=(2, 4, 4))) for _ in range(3)]
tensors = [("attentions.10", "F32", st[0], st[0].astype("<f4").tobytes()),
           ("attentions.2", "F16", st[1].astype(np.float16).astype(np.float32), st[1].astype("<f2").tobytes()),
           ("attentions.3", "BF16", (st[2].view(np.uint32) & 0xFFFF0000).view(np.float32), bf16_bytes(st[2]))]
header, data = {"__metadata__": {"tokens": json.dumps(src)}}, b""
for name, dtype, _, raw in tensors:
    header[name] = {"dtype": dtype, "shape": [2, 4, 4], "data_offsets": [len(data), len(data) + len(raw)]}
    data += raw
h_bytes = json.dumps(header).encode()
h_bytes += b" " * (-len(h_bytes) % 8)
open("python.safetensors", "wb").write(struct.pack("<Q", len(h_bytes)) + h_bytes + data)
# natural name order: attentions.2, attentions.3, attentions.10 become layers 0, 1, 2
for layer, i in enumerate([1, 2, 0]):
    expected[f"python.safetensors:encoder-self.{layer}"] = tensors[i][2]

# bertviz-like JSON: a list of layers of [batch=1, heads, q, k] and a token list
bv = softmax(rng.normal(size=(2, 1, 2, 4, 4)))
json.dump({"attention": bv.tolist(), "tokens": src}, open("bertviz.json", "w"))
for l in range(2):
    expected[f"bertviz.json:encoder-self.{l}"] = bv[l, 0]  # float32 -> JSON (repr of double) -> float32

np.savez("expected.npz", **expected)
json.dump({"src": src, "tgt": tgt}, open("tokens.json", "w"))
open("tokens.txt", "w").write("\n".join(src) + "\n")  # the one-token-per-line side file
EOF

# --- 2. import, render, export; compare in numpy ------------------------------------------------
render_state=unknown
for input in c_order.npy fortran.npy half.npy stored.npz compressed.npz python.safetensors bertviz.json; do
  case $input in
    c_order.npy | fortran.npy) flags=(--tokens "$T/tokens.txt") ;;
    half.npy) flags=(--kind cross --source-tokens "the cat sat </s>" --target-tokens "le chat s'est assis </s>") ;;
    *) flags=() ;;
  esac
  attn="$T/$input.attn.safetensors"
  if ! "$BIN" import "$T/$input" "${flags[@]}" -o "$attn" > "$T/import.out" 2> "$T/err"; then
    fail "import $input: $(cat "$T/err")"
    continue
  fi
  grep -q "$attn" "$T/import.out" || fail "import $input printed '$(cat "$T/import.out")'"

  # Rendering: only where this build has the render command.
  if [ "$render_state" != skipped ]; then
    if "$BIN" render "$attn" --view heads -o "$T/$input.png" > /dev/null 2> "$T/err"; then
      [ "$(head -c 4 "$T/$input.png" | tail -c 3)" = "PNG" ] || fail "render $input: not a PNG"
      render_state=works
    elif grep -qi -e "not available" -e "unknown command" "$T/err"; then
      echo "skip render: $(cat "$T/err")"
      render_state=skipped
    else
      fail "render $input: $(cat "$T/err")"
    fi
  fi

  rm -rf "$T/out"
  if ! "$BIN" export "$attn" --npy "$T/out/npy" --json "$T/out/x.json" --csv "$T/out/x.csv" > /dev/null 2> "$T/err"; then
    fail "export $input: $(cat "$T/err")"
    continue
  fi
  # JSON back in and out again: the NPY of the re-imported JSON must match too.
  "$BIN" import "$T/out/x.json" -o "$T/out/again.attn.safetensors" > /dev/null 2> "$T/err" &&
    "$BIN" export "$T/out/again.attn.safetensors" --npy "$T/out/npy_again" > /dev/null 2>> "$T/err" ||
    fail "json re-import $input: $(cat "$T/err")"

  if report=$(cd "$T" && INPUT=$input "$PY" - 2>&1 << 'EOF'
import csv, glob, json, os, sys
import numpy as np
inp = os.environ["INPUT"]
exp = {k.split(":", 1)[1]: v for k, v in np.load("expected.npz").items() if k.startswith(inp + ":")}
toks = json.load(open("tokens.json"))
def check_folder(folder):
    got = {os.path.basename(p)[:-4]: np.load(p) for p in glob.glob(folder + "/*.npy")}
    assert sorted(got) == sorted(exp), f"{folder}: blocks {sorted(got)}, expected {sorted(exp)}"
    for name, want in exp.items():
        g = got[name]
        assert g.dtype == np.float32, f"{name}: dtype {g.dtype}"
        assert g.shape == want.shape, f"{name}: shape {g.shape}, expected {want.shape}"
        assert np.array_equal(g, want.astype(np.float32)), f"{name}: max diff {np.abs(g - want).max()}"
    return got
got = check_folder("out/npy")
check_folder("out/npy_again")
t = json.load(open("out/npy/tokens.json"))
kinds = {n.split(".")[0] for n in exp}
if kinds & {"encoder-self", "cross"}: assert t["source_tokens"] == toks["src"], t
if kinds & {"decoder-self", "cross"}: assert t["target_tokens"] == toks["tgt"], t
# CSV: every weight once, exact after float32 parsing, tokens where they belong
rows = list(csv.reader(open("out/x.csv", newline="")))
assert rows[0] == "run,kind,layer,head,query,key,query_token,key_token,weight".split(","), rows[0]
assert len(rows) - 1 == sum(v.size for v in exp.values()), (len(rows), sum(v.size for v in exp.values()))
for r in rows[1:]:
    name = f"{r[1]}.{r[2]}"
    h, q, k = int(r[3]), int(r[4]), int(r[5])
    assert np.float32(r[8]) == got[name][h, q, k], r
    qt = toks["src"] if r[1] == "encoder-self" else toks["tgt"]
    kt = toks["tgt"] if r[1] == "decoder-self" else toks["src"]
    assert r[6] == qt[q] and r[7] == kt[k], r
# JSON: same numbers
j = json.load(open("out/x.json"))
att = j["attention"]
blocks = att if isinstance(att, dict) else {f'{j["kind"]}.{l}': a for l, a in enumerate(att)}
for name, want in exp.items():
    assert np.array_equal(np.array(blocks[name], dtype=np.float32), want), name
print(f"{len(exp)} blocks identical in NPY, JSON, CSV")
EOF
  ); then
    ok "$input: $report"
  else
    fail "$input: $report"
  fi
done

# --- 3. errors: one line, non-zero exit, no output file ----------------------------------------
expect_error() {
  local name=$1 needle=$2
  shift 2
  local err rc lines
  rm -f "$T/bad.attn.safetensors"
  err=$("$@" 2>&1 > /dev/null)
  rc=$?
  lines=$(printf '%s' "$err" | grep -c '')
  if [ "$rc" -eq 0 ]; then fail "$name: exit 0"; return; fi
  if [ "$lines" -ne 1 ]; then fail "$name: $lines lines of error: $err"; return; fi
  if ! grep -qF -- "$needle" <<< "$err"; then fail "$name: '$err' lacks '$needle'"; return; fi
  if [ -e "$T/bad.attn.safetensors" ]; then fail "$name: wrote an output file"; return; fi
  ok "$name: $err"
}

"$PY" - << 'EOF'
import numpy as np
np.save("big_endian.npy", np.ones((2, 2), dtype=">f4"))
np.save("objects.npy", np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
a = np.full((3, 3), 1 / 3, dtype=np.float32)
a[1, 2] = np.nan
np.save("nan.npy", a)
np.save("batch2.npy", np.ones((2, 2, 1, 3, 3), dtype=np.float32))
data = open("compressed.npz", "rb").read()
open("truncated.npz", "wb").write(data[: len(data) // 2])
open("bad.npy", "wb").write(b"NUMPY not really")
EOF

expect_error "big-endian" "big-endian dtype '>f4' is not supported" "$BIN" import big_endian.npy --index-tokens -o "$T/bad.attn.safetensors"
expect_error "object dtype" "object arrays" "$BIN" import objects.npy --index-tokens -o "$T/bad.attn.safetensors"
expect_error "bad magic" "bad.npy: not a .npy file" "$BIN" import bad.npy --index-tokens -o "$T/bad.attn.safetensors"
expect_error "truncated npz" "truncated.npz: not a valid zip" "$BIN" import truncated.npz -o "$T/bad.attn.safetensors"
expect_error "non-finite" "nan.npy: array 'nan' holds a non-finite weight (nan) at [1, 2]" "$BIN" import nan.npy --index-tokens -o "$T/bad.attn.safetensors"
expect_error "batch of 2" "batch axis (size 2) must be 1" "$BIN" import batch2.npy --index-tokens -o "$T/bad.attn.safetensors"
expect_error "token count" "c_order.npy: block encoder-self.0 is 4 queries x 4 keys, but there are 3 source tokens" \
  "$BIN" import c_order.npy --source-tokens "a b c" -o "$T/bad.attn.safetensors"
expect_error "no tokens" "no source tokens: pass --tokens FILE" "$BIN" import c_order.npy -o "$T/bad.attn.safetensors"
expect_error "bad kind" "--kind must be one of" "$BIN" import c_order.npy --kind sideways -o "$T/bad.attn.safetensors"
expect_error "unknown extension" "unknown extension '.txt'" "$BIN" import tokens.txt -o "$T/bad.attn.safetensors"
expect_error "missing file" "no such file" "$BIN" import nowhere.npy -o "$T/bad.attn.safetensors"
expect_error "unknown option" "unknown option --colour" "$BIN" import c_order.npy --colour red -o "$T/bad.attn.safetensors"
expect_error "missing -o" "missing -o" "$BIN" import c_order.npy --index-tokens
expect_error "export nothing" "nothing to do" "$BIN" export "$T/half.npy.attn.safetensors"
expect_error "export not attn" "not an attnscope attention file" "$BIN" export "$T/python.safetensors" --csv "$T/x.csv"
[ -e "$T/x.csv" ] && fail "export wrote a CSV for a bad input"

# --help teaches with an example.
for cmd in import export; do
  "$BIN" "$cmd" --help | grep -q "attnscope $cmd " || fail "$cmd --help shows no example"
done

echo "interop_roundtrip: $passed passed, $failures failed"
[ "$failures" -eq 0 ]
