#!/usr/bin/env bash
# The attnscope binary is torch-free (apps/model_library.h): model-free commands never load
# libtorch or OpenBLAS, model commands load libattnscope_models.so on first use, and a missing or
# foreign library is a one-line error, not a crash. LD_DEBUG=files makes the dynamic loader list
# every library it opens, so the test sees what really loaded.
set -uo pipefail
BIN=$1
source "$(dirname "$0")/../lib.sh"
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
FIX="$ATTNSCOPE_SOURCE_DIR/tests/fixtures"

if ldd "$BIN" | grep -qE 'libtorch|libc10|libopenblas|libblas'; then fail "the binary links libtorch or BLAS: $(ldd "$BIN" | grep -E 'torch|c10|blas' | tr '\n' ' ')"
else ok "ldd: no libtorch, no BLAS"; fi

loaded() { LD_DEBUG=files "$@" 2>&1 >/dev/null | grep -oE 'file=[^ ]*(libtorch|libc10|libopenblas|libblas|libattnscope_models)[^ ]*' | sort -u | tr '\n' ' '; }
"$BIN" render --demo-set "$DIR/demo.attn.safetensors" >/dev/null || fail "render --demo-set"
echo "hello world" >"$DIR/text.txt"
for cmd in "--version" "render $DIR/demo.attn.safetensors -o $DIR/h.svg" "export $DIR/demo.attn.safetensors --json $DIR/d.json" \
           "derive $DIR/demo.attn.safetensors --method rollout -o $DIR/r.attn.safetensors" "stats $DIR/demo.attn.safetensors --out $DIR/stats --quiet" \
           "tokenize --tokenizer $FIX/tiny-bert $DIR/text.txt" "bleu --help" \
           "render --view architecture --model $FIX/tiny-bert -o $DIR/arch.svg"; do
  # shellcheck disable=SC2086
  if ! "$BIN" $cmd >/dev/null 2>&1; then fail "'$cmd' failed: $("$BIN" $cmd 2>&1 | tail -1)"; continue; fi
  # shellcheck disable=SC2086
  got=$(loaded "$BIN" $cmd)
  if [ -n "$got" ]; then fail "'$cmd' loaded $got"; else ok "'$cmd' loads no libtorch"; fi
done
# serve on files: started, asked for its page, stopped; the loader's log must not name libtorch.
LD_DEBUG=files "$BIN" serve "$DIR/demo.attn.safetensors" --port 0 >"$DIR/serve.out" 2>"$DIR/serve.err" &
pid=$!
for _ in $(seq 100); do grep -q "http://" "$DIR/serve.out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$DIR/serve.out" | head -1)
if [ -n "$url" ] && curl -sf "$url" >/dev/null; then ok "serve on a file answers ($url)"; else fail "serve on a file did not answer"; fi
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
got=$(grep -oE 'file=[^ ]*(libtorch|libc10|libopenblas|libblas|libattnscope_models)[^ ]*' "$DIR/serve.err" | sort -u | tr '\n' ' ')
if [ -n "$got" ]; then fail "serve on a file loaded $got"; else ok "serve on a file loads no libtorch"; fi

"$BIN" run --model "$FIX/tiny-bert" "the cat [MASK] on the mat" >/dev/null || fail "run on tiny-bert"
got=$(loaded "$BIN" run --model "$FIX/tiny-bert" "the cat [MASK] on the mat")
if grep -q libattnscope_models <<<"$got" && grep -q libtorch <<<"$got"; then ok "run loads the model library and libtorch"
else fail "run did not load the model library: [$got]"; fi

# The library is found beside the binary or where ATTNSCOPE_MODEL_LIBRARY says; a missing one is
# a one-line error for model commands only.
expect_error "missing model library" "cannot load the model library $DIR/none.so" \
  env ATTNSCOPE_MODEL_LIBRARY="$DIR/none.so" "$BIN" run --model "$FIX/tiny-bert" "a [MASK]"
printf 'not a library' >"$DIR/fake.so"
expect_error "a file that is not a library" "cannot load the model library $DIR/fake.so" \
  env ATTNSCOPE_MODEL_LIBRARY="$DIR/fake.so" "$BIN" train --task reverse --out "$DIR/m"
if ATTNSCOPE_MODEL_LIBRARY="$DIR/none.so" "$BIN" render "$DIR/demo.attn.safetensors" -o "$DIR/h2.png" 2>/dev/null; then
  ok "render needs no model library"
else fail "render failed without the model library"; fi
[ "$failures" -eq 0 ]
