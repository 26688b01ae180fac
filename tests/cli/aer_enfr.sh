#!/usr/bin/env bash
# End-to-end test of `attnscope aer`: hand-made cases, the errors, and fast_align's published
# AER of 16.4% on the WPT03 English-French gold (../shared/data/align-enfr, when present).
# Usage: bash tests/cli/aer_enfr.sh /path/to/attnscope
set -u
BIN=${1:?usage: aer_enfr.sh /path/to/attnscope}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
failures=0
passed=0
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# expect_output NAME EXPECTED_SUBSTRING CMD...
expect_output() {
  local name=$1 needle=$2 out
  shift 2
  if ! out=$("$@" 2>&1); then fail "$name: exit non-zero: $out"; return; fi
  if grep -qF -- "$needle" <<< "$out"; then ok "$name: $out"; else fail "$name: '$out' lacks '$needle'"; fi
}

# expect_error NAME EXPECTED_SUBSTRING CMD...

# --- hand-made cases ---------------------------------------------------------------------------
printf '0-0 1-1 2-2\n0-1 1p0\n' > "$T/gold0"
printf '1-1 2-2 3-3\n1-2 2p1\n' > "$T/gold1"
printf '0-0 1-1 2-2\n0-1\n' > "$T/hyp"
printf '0-0 1-1 2-2\n1-0\n' > "$T/hyp_swapped"
expect_output "perfect" "precision 1.0000  recall 1.0000  AER 0.0000 (2 sentences, |A| = 4, |S| = 4, |P| = 5)" \
  "$BIN" aer "$T/gold0" "$T/hyp"
expect_output "gold base 1" "AER 0.0000" "$BIN" aer "$T/gold1" "$T/hyp" --gold-base 1
expect_output "swap" "AER 0.0000" "$BIN" aer "$T/gold0" "$T/hyp_swapped" --swap
# Without --swap, "1-0" hits only the possible link 1p0: precision 4/4, recall 3/4, AER 1 - 7/8.
expect_output "possible only" "precision 1.0000  recall 0.7500  AER 0.1250" "$BIN" aer "$T/gold0" "$T/hyp_swapped"
expect_output "json" '"aer":0.125' "$BIN" aer "$T/gold0" "$T/hyp_swapped" --json

printf '0-0\n' > "$T/one_line"
printf '0-0\n1-x\n' > "$T/malformed"
expect_error "line counts" "has 2 lines but" "$BIN" aer "$T/gold0" "$T/one_line"
expect_error "malformed" "malformed:2: malformed link '1-x'" "$BIN" aer "$T/gold0" "$T/malformed"
expect_error "negative index" "gold0:1: link '0-0' has index -1 after subtracting base 1" "$BIN" aer "$T/gold0" "$T/hyp" --gold-base 1
expect_error "one file" "expected two files" "$BIN" aer "$T/gold0"
expect_error "missing file" "cannot read" "$BIN" aer "$T/gold0" "$T/nowhere"
expect_error "unknown option" "unknown option --base" "$BIN" aer "$T/gold0" "$T/hyp" --base 1
"$BIN" aer --help | grep -q "attnscope aer " || fail "aer --help shows no example"

# --- the published figure ----------------------------------------------------------------------
DATA="${ATTNSCOPE_SOURCE_DIR:-$(dirname "$0")/../..}/../shared/data/align-enfr"
if [ ! -f "$DATA/enfr.gold" ]; then
  echo "skipped: ../shared not found"
else
  expect_output "fast_align en-fr" "precision 0.8001  recall 0.9014  AER 0.1639 (447 sentences" \
    "$BIN" aer "$DATA/enfr.gold" "$DATA/fastalign.enfr.talp" --gold-base 1 --hyp-base 0
  aer=$("$BIN" aer "$DATA/enfr.gold" "$DATA/fastalign.enfr.talp" --gold-base 1 --json |
    sed -n 's/.*"aer":\([0-9.e-]*\).*/\1/p')
  # Published: 16.4% (lilt/alignment-scripts). Rounded to one decimal of a percent it must match.
  if [ "$(awk -v a="$aer" 'BEGIN { printf "%.1f", 100 * a }')" = "16.4" ]; then ok "AER $aer rounds to 16.4%"; else fail "AER $aer is not 16.4%"; fi
  # Wrong bases must not give the published figure.
  expect_error "wrong base" "has index -1" "$BIN" aer "$DATA/fastalign.enfr.talp" "$DATA/enfr.gold" --gold-base 1
fi

echo "aer_enfr: $passed passed, $failures failed"
[ "$failures" -eq 0 ]
