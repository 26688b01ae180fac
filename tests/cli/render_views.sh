#!/usr/bin/env bash
# End-to-end test of `attnscope render`: every view in every format from the built-in demo set,
# the options, and the errors (non-zero exit, one line on stderr, no file written).
# Usage: bash tests/cli/render_views.sh /path/to/attnscope
set -u
BIN=${1:?usage: render_views.sh /path/to/attnscope}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"  # has_magic; the script keeps its own fail
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }


"$BIN" render --demo-set "$T/demo.attn.safetensors" > /dev/null || fail "--demo-set exited $?"
[ -s "$T/demo.attn.safetensors" ] || fail "--demo-set wrote nothing"

# Every view, every format.
for view in heatmap heads lines grid compare steps gallery; do
  for ext in png svg pdf; do
    out="$T/$view.$ext"
    printed=$("$BIN" render "$T/demo.attn.safetensors" --view "$view" -o "$out" 2> "$T/err") ||
      { fail "$view.$ext exited non-zero: $(cat "$T/err")"; continue; }
    [ "$printed" = "$out" ] || fail "$view.$ext printed '$printed', expected the path"
    [ -s "$out" ] || fail "$view.$ext is empty"
    has_magic "$out" || fail "$view.$ext does not start with its format's magic"
  done
done

# Options, each in a figure of its own.
run_ok() {
  local name=$1; shift
  "$BIN" render "$T/demo.attn.safetensors" "$@" -o "$T/$name.png" > /dev/null 2> "$T/err" ||
    fail "$name ($*) exited non-zero: $(cat "$T/err")"
  has_magic "$T/$name.png" || fail "$name wrote no PNG"
}
run_ok grid-highlight --view grid --highlight 2,3 --spans "0-4:<A>,5-10:<B>" --colorbar-title Saliency --vmin 0 --vmax 0.3
run_ok compare-fixed --view compare --vmin 0.2 --vmax 0.8 --colormap Blues
run_ok merged-dark --merge words --theme dark --colormap magma --values --dpi 150 --title "merged words"
run_ok self-head --kind encoder-self --layer 1 --head 2 --run 1 --pool mean
run_ok steps-some --view steps --steps 0-3,7 --head 3
run_ok lines-head --view lines --head 1
run_ok lines-heads --view lines --layer 1 --head 1,3
"$BIN" render "$T/demo.attn.safetensors" --out "$T/long-out.svg" > /dev/null || fail "--out exited non-zero"
has_magic "$T/long-out.svg" || fail "--out wrote no SVG"
run_ok eq-form --view=heads --layer=2

# Errors: non-zero exit, exactly one line on stderr, nothing written.
run_bad() {
  local name=$1; shift
  rm -f "$T/bad.png"
  if "$BIN" render "$@" > /dev/null 2> "$T/err"; then
    fail "$name: exited 0 for: $*"
  fi
  [ "$(wc -l < "$T/err")" -eq 1 ] || fail "$name: stderr is not one line: $(cat "$T/err")"
  [ ! -e "$T/bad.png" ] || fail "$name: left $T/bad.png behind"
  ls "$T" | grep -q '\.tmp-' && fail "$name: left a temporary file behind"
  return 0
}
D="$T/demo.attn.safetensors"
run_bad bad-view "$D" --view pie -o "$T/bad.png"
run_bad bad-colormap "$D" --colormap jet -o "$T/bad.png"
run_bad bad-layer "$D" --layer 9 -o "$T/bad.png"
run_bad bad-head "$D" --head 9 -o "$T/bad.png"
run_bad layer-zero "$D" --layer 0 -o "$T/bad.png"
run_bad head-zero "$D" --head 0 -o "$T/bad.png"
run_bad heads-list-not-lines "$D" --view heads --head 1,2 -o "$T/bad.png"
run_bad head-list-syntax "$D" --view lines --head 1,,2 -o "$T/bad.png"
run_bad bad-kind "$D" --kind self -o "$T/bad.png"
run_bad bad-spans "$D" --spans "0-6" -o "$T/bad.png"
run_bad span-past-end "$D" --spans "0-60:<X>" -o "$T/bad.png"
run_bad bad-highlight "$D" --view grid --highlight 8 -o "$T/bad.png"
run_bad highlight-range "$D" --view grid --highlight 13,8 -o "$T/bad.png"
run_bad bad-theme "$D" --theme sepia -o "$T/bad.png"
run_bad bad-dpi "$D" --dpi abc -o "$T/bad.png"
run_bad bad-range "$D" --vmin 0.8 --vmax 0.2 -o "$T/bad.png"
run_bad bad-extension "$D" -o "$T/bad.jpg"
run_bad unknown-flag "$D" --bogus 1 -o "$T/bad.png"
run_bad missing-output "$D"
run_bad missing-input -o "$T/bad.png"
run_bad no-such-file "$T/nope.attn.safetensors" -o "$T/bad.png"
run_bad two-inputs "$D" "$D" -o "$T/bad.png"
grep -q "jet" <("$BIN" render "$D" --colormap jet -o "$T/bad.png" 2>&1) || fail "the colormap error does not name 'jet'"
# --layer and --head count from 1 like the figures: errors name the valid numbers that way.
grep -q "valid layers 1-2" <("$BIN" render "$D" --layer 9 -o "$T/bad.png" 2>&1) || fail "the layer error does not name the valid range from 1"
grep -q "layers are counted from 1 (valid layers 1-2" <("$BIN" render "$D" --layer 0 -o "$T/bad.png" 2>&1) || fail "--layer 0 does not say layers count from 1"
grep -q "heads are counted from 1 (valid heads 1-4" <("$BIN" render "$D" --head 0 -o "$T/bad.png" 2>&1) || fail "--head 0 does not say heads count from 1"
grep -q "valid heads 1-4" <("$BIN" render "$D" --head 5 -o "$T/bad.png" 2>&1) || fail "the head error does not name the valid range from 1"

# Help teaches: every view and an example.
help=$("$BIN" render --help) || fail "--help exited non-zero"
for view in heatmap heads lines grid compare steps gallery; do
  grep -q "^  $view " <<< "$help" || fail "--help does not list $view"
done
grep -q "example" <<< "$help" || fail "--help has no example"

if [ "$failures" -ne 0 ]; then
  echo "render_views: $failures failure(s)"
  exit 1
fi
echo "render_views: all passed"
