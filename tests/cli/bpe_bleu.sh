#!/usr/bin/env bash
# End-to-end test of `attnscope bpe learn/apply/undo` and `attnscope bleu`: hand-made cases, the
# errors, and, when ../shared/data/multi30k is present, agreement with the Python transcriptions
# of subword-nmt (tools/crosscheck_bpe.py: identical codes files and segmentations) and of
# sacreBLEU (tools/crosscheck_bleu.py: identical score lines).
# Usage: bash tests/cli/bpe_bleu.sh /path/to/attnscope
set -u
BIN=${1:?usage: bpe_bleu.sh /path/to/attnscope}
SRC="${ATTNSCOPE_SOURCE_DIR:-$(dirname "$0")/../..}"
PY=/usr/bin/python3
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
  if grep -qF -- "$needle" <<< "$out"; then ok "$name: $(head -n 1 <<< "$out" | cut -c 1-200)"; else fail "$name: '$out' lacks '$needle'"; fi
}

# expect_error NAME EXPECTED_SUBSTRING CMD...

# same NAME FILE1 FILE2
same() {
  if cmp -s "$2" "$3"; then ok "$1"; else fail "$1: $2 and $3 differ: $(diff "$2" "$3" | head -4 | tr '\n' '|')"; fi
}

# --- bpe: the classic example (merges worked out by hand in tests/text/test_bpe.cpp) ----------
printf 'low low low low low lower lower newest newest newest newest newest newest widest widest widest\n' > "$T/classic.txt"
printf '#version: 0.2\ns t</w>\ne st</w>\nl o\nw est</w>\nn e\nne west</w>\nlo w</w>\nw i\nwi d\nwid est</w>\nw e\nwe r</w>\nlo wer</w>\n' \
  > "$T/classic.expected"
if "$BIN" bpe learn --input "$T/classic.txt" --merges 100 --out "$T/classic.codes" 2> "$T/learn.err"; then
  same "learn: classic codes" "$T/classic.codes" "$T/classic.expected"
  grep -q "stopped after 13 merges" "$T/learn.err" && ok "learn: says where it stopped" || fail "learn: $(cat "$T/learn.err")"
else
  fail "learn: $(cat "$T/learn.err")"
fi
printf 'lowest newer low widest\n  low   lowest \n' > "$T/q.txt"
expect_output "apply FILE" "lo@@ west ne@@ wer low widest" "$BIN" bpe apply --codes "$T/classic.codes" "$T/q.txt"
out=$("$BIN" bpe apply --codes "$T/classic.codes" - < "$T/q.txt" | sed -n 2p)
[ "$out" = "  low lo@@ west " ] && ok "apply stdin keeps padding, collapses inner spaces" || fail "apply stdin: '$out'"
expect_output "undo" "lowest newer low widest" bash -c "'$BIN' bpe apply --codes '$T/classic.codes' '$T/q.txt' | '$BIN' bpe undo"
printf 'a@@ b@@\nno pieces\n' | "$BIN" bpe undo > "$T/undo.out"
printf 'ab\nno pieces\n' > "$T/undo.expected"
same "undo: trailing @@" "$T/undo.out" "$T/undo.expected"
# Several inputs: repeated --input and positional files both add up.
head -c 40 "$T/classic.txt" > "$T/part1.txt"; echo >> "$T/part1.txt"
tail -c +41 "$T/classic.txt" > "$T/part2.txt"
cat "$T/part1.txt" "$T/part2.txt" > "$T/joined.txt"
"$BIN" bpe learn --quiet --input "$T/joined.txt" --merges 8 --out "$T/joined.codes" 2> /dev/null
"$BIN" bpe learn --quiet --input "$T/part1.txt" --input "$T/part2.txt" --merges 8 --out "$T/two.codes" 2> /dev/null
"$BIN" bpe learn --quiet --merges 8 --out "$T/pos.codes" "$T/part1.txt" "$T/part2.txt" 2> /dev/null
same "learn: two --input files" "$T/two.codes" "$T/joined.codes"
same "learn: positional files" "$T/pos.codes" "$T/joined.codes"
gzip -c "$T/joined.txt" > "$T/joined.txt.gz"
"$BIN" bpe learn --quiet --input "$T/joined.txt.gz" --merges 8 --out "$T/gz.codes" 2> /dev/null
same "learn: gzip input" "$T/gz.codes" "$T/joined.codes"
"$BIN" bpe --help | grep -q "attnscope bpe learn --input .*train.en.gz" && ok "bpe --help has a Multi30k example" ||
  fail "bpe --help shows no example"
"$BIN" bpe apply --help | grep -q "usage: attnscope bpe" && ok "bpe apply --help" || fail "bpe apply --help"

# --- bleu: hand-computed (tests/analysis/test_bleu.cpp) ---------------------------------------------
printf 'the cat sat on the mat\nA b c d e\n' > "$T/hyp"
printf 'the cat sat on a mat\nA b c x e\n' > "$T/ref"
printf 'the cat sat on the mat\n' > "$T/hyp1"
printf 'the cat sat on a mat\n' > "$T/ref1"
expect_output "bleu: hand example" "BLEU = 53.73 83.3/60.0/50.0/33.3 (BP = 1.000 ratio = 1.000 hyp_len = 6 ref_len = 6)" \
  "$BIN" bleu --hyp "$T/hyp1" --ref "$T/ref1"
expect_output "bleu: identical" "BLEU = 100.00 100.0/100.0/100.0/100.0" "$BIN" bleu --hyp "$T/ref" --ref "$T/ref"
expect_output "bleu: stdin" "BLEU = 53.73" bash -c "'$BIN' bleu --hyp - --ref '$T/ref1' < '$T/hyp1'"
expect_output "bleu: json" '"score":53.73' "$BIN" bleu --hyp "$T/hyp1" --ref "$T/ref1" --json
expect_output "bleu: json signature" '"signature":"nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|impl:attnscope"' \
  "$BIN" bleu --hyp "$T/hyp1" --ref "$T/ref1" --json
"$BIN" bleu --help | grep -q "attnscope bleu --hyp .*test_2016_flickr.de.gz" && ok "bleu --help has a Multi30k example" ||
  fail "bleu --help shows no example"

# --- errors: one line, non-zero exit -------------------------------------------------------------
printf '#version: 0.2\nabc\n' > "$T/bad.codes"
printf 'M\xe4nner\n' > "$T/latin1.txt"
printf 'not gzip\n' > "$T/fake.gz"
printf 'x\n\n' > "$T/empty_ref"
printf 'x\ny\n' > "$T/two_lines"
expect_error "bleu: line counts" "has 2 lines but" "$BIN" bleu --hyp "$T/hyp" --ref "$T/ref1"
expect_error "bleu: empty reference" "empty_ref: reference line 2 is empty" "$BIN" bleu --hyp "$T/two_lines" --ref "$T/empty_ref"
expect_error "bleu: missing file" "cannot read $T/nowhere" "$BIN" bleu --hyp "$T/nowhere" --ref "$T/ref"
expect_error "bleu: no --ref" "--hyp FILE and --ref FILE are required" "$BIN" bleu --hyp "$T/hyp"
expect_error "bleu: positional" "unexpected argument" "$BIN" bleu "$T/hyp" "$T/ref"
expect_error "bpe apply: bad codes" "bad.codes:2: expected a merge of two symbols 'a b', got 'abc'" \
  "$BIN" bpe apply --codes "$T/bad.codes" "$T/q.txt"
expect_error "bpe apply: missing codes" "cannot read $T/nowhere.codes" "$BIN" bpe apply --codes "$T/nowhere.codes" "$T/q.txt"
expect_error "bpe apply: missing input" "cannot read $T/nowhere.txt" "$BIN" bpe apply --codes "$T/classic.codes" "$T/nowhere.txt"
expect_error "bpe apply: no --codes" "--codes CODES is required" "$BIN" bpe apply "$T/q.txt"
expect_error "bpe apply: not UTF-8" "latin1.txt:1: not valid UTF-8 (byte 0xE4 at column 2)" \
  "$BIN" bpe apply --codes "$T/classic.codes" "$T/latin1.txt"
expect_error "bpe apply: unknown option" "unknown option --merges (see 'attnscope bpe apply --help')" \
  "$BIN" bpe apply --codes "$T/classic.codes" --merges 3 "$T/q.txt"
expect_error "bpe learn: no --merges" "--merges N is required" "$BIN" bpe learn --input "$T/classic.txt" --out "$T/x.codes"
expect_error "bpe learn: fake gzip" "fake.gz: not a gzip file" "$BIN" bpe learn --input "$T/fake.gz" --merges 5 --out "$T/x.codes"
expect_error "bpe learn: missing input" "cannot read $T/nowhere.txt" "$BIN" bpe learn --input "$T/nowhere.txt" --merges 5 --out "$T/x.codes"
expect_error "bpe learn: bad --merges" "--merges expects an integer" "$BIN" bpe learn --input "$T/classic.txt" --merges ten --out "$T/x.codes"
[ -e "$T/x.codes" ] && fail "a failed learn left $T/x.codes behind" || ok "failed learns write nothing"
expect_error "bpe: unknown subcommand" "unknown subcommand 'frobnicate'" "$BIN" bpe frobnicate
expect_error "bpe: no subcommand" "expected learn, apply or undo" "$BIN" bpe

# --- Multi30k against the Python transcriptions -------------------------------------------------
DATA="$SRC/../shared/data/multi30k"
if [ ! -f "$DATA/train.en.gz" ]; then
  echo "skipped: ../shared not found"
elif [ ! -x "$PY" ]; then
  echo "skipped: $PY not found"
else
  # Codes: byte-identical to the learn_bpe.py transcription.
  "$BIN" bpe learn --quiet --input "$DATA/train.en.gz" --merges 2000 --out "$T/en2000.codes" 2> /dev/null
  "$PY" "$SRC/tools/crosscheck_bpe.py" learn --merges 2000 --out "$T/en2000.py.codes" "$DATA/train.en.gz"
  same "codes: train.en, 2000 merges = learn_bpe.py transcription" "$T/en2000.codes" "$T/en2000.py.codes"
  start=$(date +%s.%N)
  "$BIN" bpe learn --quiet --input "$DATA/train.en.gz" --input "$DATA/train.de.gz" --merges 10000 --out "$T/ende.codes" 2> /dev/null
  end=$(date +%s.%N)
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
  awk -v s="$secs" 'BEGIN { exit !(s < 20) }' && ok "learn: 10000 merges on train.en + train.de in ${secs}s" ||
    fail "learn: 10000 merges took ${secs}s"
  "$PY" "$SRC/tools/crosscheck_bpe.py" learn --merges 10000 --out "$T/ende.py.codes" "$DATA/train.en.gz" "$DATA/train.de.gz"
  same "codes: train.en + train.de, 10000 merges = learn_bpe.py transcription" "$T/ende.codes" "$T/ende.py.codes"
  # Segmentation: identical to the apply_bpe.py transcription; undo gives the text back.
  for f in val.de test_2016_flickr.en; do
    "$BIN" bpe apply --codes "$T/ende.codes" "$DATA/$f.gz" > "$T/$f.bpe"
    "$PY" "$SRC/tools/crosscheck_bpe.py" apply --codes "$T/ende.codes" "$DATA/$f.gz" > "$T/$f.py.bpe"
    same "apply: $f = apply_bpe.py transcription" "$T/$f.bpe" "$T/$f.py.bpe"
    grep -q "@@ " "$T/$f.bpe" && ok "apply: $f has split words" || fail "apply: no @@ in $f"
    "$BIN" bpe undo "$T/$f.bpe" > "$T/$f.undone"
    gzip -dc "$DATA/$f.gz" > "$T/$f"
    same "undo: $f comes back" "$T/$f.undone" "$T/$f"
  done
  # BLEU: damaged copies of val.de against val.de, and English against German.
  for spec in "1 0.1" "2 0.3" "3 0.6" "4 0.9"; do
    set -- $spec
    "$PY" "$SRC/tools/crosscheck_bleu.py" perturb --seed "$1" --level "$2" "$T/val.de" > "$T/hyp.$1"
    ours=$("$BIN" bleu --hyp "$T/hyp.$1" --ref "$DATA/val.de.gz" 2>&1)
    theirs=$("$PY" "$SRC/tools/crosscheck_bleu.py" score --hyp "$T/hyp.$1" --ref "$T/val.de")
    [ "$ours" = "$theirs" ] && ok "bleu: damaged val.de ($2): $ours" || fail "bleu: '$ours' vs sacreBLEU transcription '$theirs'"
    a=$("$BIN" bleu --hyp "$T/hyp.$1" --ref "$T/val.de" --json | sed -n 's/.*"score_exact":\([0-9.e+-]*\).*/\1/p')
    b=$("$PY" "$SRC/tools/crosscheck_bleu.py" score --json --hyp "$T/hyp.$1" --ref "$T/val.de" | sed -n 's/.*"score": \([0-9.e+-]*\).*/\1/p')
    awk -v a="$a" -v b="$b" 'BEGIN { d = a - b; exit !(a != "" && d < 1e-9 && d > -1e-9) }' &&
      ok "bleu: exact score $a = $b" || fail "bleu: exact score '$a' vs '$b'"
  done
  gzip -dc "$DATA/val.en.gz" > "$T/val.en"
  ours=$("$BIN" bleu --hyp "$T/val.en" --ref "$T/val.de" 2>&1)
  theirs=$("$PY" "$SRC/tools/crosscheck_bleu.py" score --hyp "$T/val.en" --ref "$T/val.de")
  [ "$ours" = "$theirs" ] && ok "bleu: val.en vs val.de: $ours" || fail "bleu: '$ours' vs '$theirs'"
  expect_output "bleu: BPE round trip scores 100" "BLEU = 100.00" "$BIN" bleu --hyp "$T/val.de.undone" --ref "$DATA/val.de.gz"
fi

echo "bpe_bleu: $passed passed, $failures failed"
[ "$failures" -eq 0 ]
