# Helpers every CLI test script shares (sourced; not a test itself: ctest runs tests/cli/*.sh).
#   ok MESSAGE, fail MESSAGE: print and count; the script ends with [ "$failures" -eq 0 ].
#   expect NAME EXPECTED ACTUAL: the two strings must be equal.
#   has_magic FILE: FILE starts with its extension's magic (.png, .svg, .pdf).
#   toy_parallel_corpus DIR LINES: DIR/train.en and DIR/train.de, LINES made-up sentence pairs
#   ("German" is English with its words swapped, so a model can learn it), drawn from $RANDOM:
#   set RANDOM=N first for a fixed corpus.
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

has_magic() {
  case "$1" in
    *.png) [ "$(head -c 4 "$1" 2> /dev/null | tail -c 3)" = "PNG" ] ;;
    *.svg) head -c 100 "$1" 2> /dev/null | grep -q -e '^<?xml' -e '^<svg' ;;
    *.pdf) [ "$(head -c 4 "$1" 2> /dev/null)" = "%PDF" ] ;;
  esac
}
toy_parallel_corpus() {
  local dir=$1 lines=$2 i j k n en de
  local words_en=(the a little girl boy dog man woman runs jumps in on red blue green big small house park street)
  local words_de=(der ein kleines mädchen junge hund mann frau läuft springt in auf roter blauer grüner großer kleiner haus park straße)
  for ((i = 0; i < lines; i++)); do
    en="" de=""
    # $RANDOM read in this shell, never inside $(...): a subshell reseeds it, and the corpus
    # would differ from run to run whatever RANDOM was set to.
    n=$((3 + RANDOM % 5))
    for ((j = 0; j < n; j++)); do
      k=$((RANDOM % ${#words_en[@]}))
      en+="${words_en[$k]} " de+="${words_de[$k]} "
    done
    echo "${en% }." >>"$dir/train.en"
    echo "${de% }." >>"$dir/train.de"
  done
}
