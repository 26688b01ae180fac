# Helpers every CLI test script shares (sourced; not a test itself: ctest runs tests/cli/*.sh).
#   ok MESSAGE, fail MESSAGE: print and count; the script ends with [ "$failures" -eq 0 ].
#   expect NAME EXPECTED ACTUAL: the two strings must be equal.
#   expect_error NAME NEEDLE COMMAND...: the command must fail (non-zero exit) with exactly one
#   line on stderr containing NEEDLE (a fixed string).
failures=${failures:-0}
passed=${passed:-0}
ok() { echo "ok   $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
expect_error() {
  local name=$1 needle=$2 err rc lines
  shift 2
  err=$("$@" 2>&1 >/dev/null)
  rc=$?
  lines=$(printf '%s' "$err" | grep -c '')
  if [ "$rc" -eq 0 ] || [ "$lines" -ne 1 ] || ! grep -qF -- "$needle" <<<"$err"; then
    fail "$name: rc $rc, error [$err] (wanted one line with '$needle')"
    return
  fi
  ok "$name: $err"
}
expect() {
  if [ "$2" == "$3" ]; then ok "$1"; else fail "$1: expected [$2], got [$3]"; fi
}
