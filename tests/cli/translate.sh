#!/usr/bin/env bash
# Translation end to end on a small made-up corpus (no ../shared needed): BPE is learnt, a tiny
# Transformer trains, checkpoints, snapshots and resumes; eval scores BLEU; run prints merged
# words and records BPE pieces; a masking experiment gives two runs. Then every bad input the
# issue names: mismatched line counts, empty lines, a codes file that does not match, a model
# folder of another architecture.
set -uo pipefail
BIN=$1
SRC_DIR=${ATTNSCOPE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
die() { fail "$@"; exit 1; }  # later steps need the earlier ones
RANDOM=7  # a fixed corpus
toy_parallel_corpus "$T" 400
head -20 "$T/train.en" >"$T/valid.en"
head -20 "$T/train.de" >"$T/valid.de"
gzip -k "$T/train.en"

small=(--layers 1 --heads 2 --d-model 32 --ff 64 --merges 60 --batch-tokens 600 --valid-sentences 20 --warmup 20 --threads 1 --quiet)
"$BIN" train --task translate --src "$T/train.en.gz" --tgt "$T/train.de" --valid-src "$T/valid.en" --valid-tgt "$T/valid.de" \
  --steps 30 --eval-every 15 --out "$T/m" "${small[@]}" 2>"$T/err" || die "translation training failed: $(cat "$T/err")"
for f in config.json model.safetensors bpe.codes source.vocab target.vocab last.safetensors optimizer.pt train_state.json \
         train_log.tsv snapshots.attn.safetensors; do
  [ -s "$T/m/$f" ] || die "model folder lacks $f"
done
ls "$T/m" | grep -q tmp- && die "temporary files left in the model folder"
[ "$(head -1 "$T/m/bpe.codes")" = "#version: 0.2" ] || die "bpe.codes is not a subword-nmt 0.2 codes file"
[ "$(wc -l <"$T/m/train_log.tsv")" -eq 3 ] || die "train_log.tsv should hold a header and 2 evaluations: $(cat "$T/m/train_log.tsv")"
ok "trained 30 steps: model, BPE codes, vocabularies, log and snapshots written"

"$BIN" export "$T/m/snapshots.attn.safetensors" --csv "$T/snap.csv" >/dev/null 2>&1 || die "cannot export the snapshots"
runs=$(tail -n +2 "$T/snap.csv" | cut -d, -f1 | sort -u | wc -l)
[ "$runs" -eq 2 ] || die "snapshots hold $runs runs, expected 2 (steps 15 and 30)"
grep -q "step 15" "$T/m/snapshots.attn.safetensors" && grep -q "step 30" "$T/m/snapshots.attn.safetensors" \
  || die "snapshot runs are not named by their step"
"$BIN" render "$T/m/snapshots.attn.safetensors" --view gallery -o "$T/snap.png" >/dev/null 2>&1 || die "gallery of snapshots failed"
[ -s "$T/snap.png" ] || die "no gallery picture"
ok "snapshots hold one run per evaluation and draw as a gallery"

"$BIN" train --task translate --src "$T/train.en.gz" --tgt "$T/train.de" --valid-src "$T/valid.en" --valid-tgt "$T/valid.de" \
  --steps 40 --eval-every 15 --resume --out "$T/m" "${small[@]}" 2>"$T/err" || die "resume failed: $(cat "$T/err")"
grep -q '"step": 40' "$T/m/train_state.json" || die "resumed run did not end at step 40: $(cat "$T/m/train_state.json")"
ok "resumed to step 40"

bleu=$("$BIN" eval --model "$T/m" --src "$T/valid.en" --ref "$T/valid.de" 2>/dev/null) || die "eval failed"
grep -q "^BLEU = " <<<"$bleu" || die "eval did not print a BLEU line: $bleu"
grep -q "tok:13a" <<<"$bleu" || die "eval did not print the signature: $bleu"
"$BIN" eval --model "$T/m" --src "$T/valid.en" --ref "$T/valid.de" --beam 3 --json 2>/dev/null | grep -q '"decoding": "beam 3"' \
  || die "beam eval --json failed"
ok "eval: ${bleu%%$'\n'*}"

json=$("$BIN" run --model "$T/m" "the little girl runs in the park." --json --attn "$T/run.attn.safetensors" 2>/dev/null) \
  || die "run failed"
grep -q '"output_tokens":\[' <<<"$json" || die "run --json lacks output tokens: $json"
grep -q '@@' <<<"$json" || die "no BPE piece (@@) in the recorded tokens: $json"
output=$("$BIN" run --model "$T/m" "the little girl runs in the park." 2>/dev/null)
grep -q '@@' <<<"$output" && die "stdout shows BPE pieces instead of words: $output"
"$BIN" export "$T/run.attn.safetensors" --csv "$T/run.csv" >/dev/null 2>&1 || die "export failed"
for kind in ',encoder-self,0,' ',decoder-self,0,' ',cross,0,'; do grep -q -- "$kind" "$T/run.csv" || die "run lacks $kind"; done
ok "run prints words ($output) and records pieces of every kind"

two=$("$BIN" run --model "$T/m" "the little girl runs in the park." --mask-words "girl,park" --png "$T/mask.png" 2>/dev/null) \
  || die "masking experiment failed"
grep -q "^original: " <<<"$two" && grep -q "^masked: " <<<"$two" || die "masking printed: $two"
[ -s "$T/mask.png" ] || die "no compare figure"
ok "masking experiment: two runs, compare figure"

head -399 "$T/train.de" >"$T/short.de"
# Alignments: the made-up corpus is word for word, so the gold links are the diagonal.
"$BIN" align --model "$T/m" "$T/valid.en" "$T/valid.de" --out "$T/valid.align" 2>/dev/null || die "align failed"
[ "$(wc -l <"$T/valid.align")" -eq 20 ] || die "align wrote $(wc -l <"$T/valid.align") lines, expected 20"
grep -qvE '^([0-9]+-[0-9]+( [0-9]+-[0-9]+)*)?$' "$T/valid.align" && die "align output is not Pharaoh: $(head -2 "$T/valid.align")"
awk '{ s = ""; for (i = 0; i < NF; ++i) s = s (i ? " " : "") i "-" i; print s }' "$T/valid.en" >"$T/valid.gold"
table=$("$BIN" align --model "$T/m" "$T/valid.en" "$T/valid.de" --gold "$T/valid.gold" --figure "$T/aer.png" 2>/dev/null) \
  || die "align --gold failed"
grep -q "^best: layer 1" <<<"$table" || die "align --gold printed no best head: $table"
[ "$(grep -c "^layer 1, head" <<<"$table")" -eq 2 ] || die "align --gold did not score both heads: $table"
[ -s "$T/aer.png" ] || die "no AER figure"
"$BIN" aer "$T/valid.gold" "$T/valid.align" >/dev/null || die "aer cannot read align's output"
ok "align: Pharaoh links, AER per layer and head ($(grep '^best' <<<"$table"))"
expect_error "bad input" "has 20 lines but" "$BIN" align --model "$T/m" "$T/valid.en" "$T/short.de"

# --- bad input ---
expect_error "bad input" "has 400 lines but" "$BIN" train --task translate --src "$T/train.en" --tgt "$T/short.de" --out "$T/x" "${small[@]}"
{ head -5 "$T/train.de"; echo; tail -394 "$T/train.de"; } >"$T/holes.de"
expect_error "bad input" "holes.de:6: empty line" "$BIN" train --task translate --src "$T/train.en" --tgt "$T/holes.de" --out "$T/x" "${small[@]}"
printf '#version: 0.2\nt h e\n' >"$T/bad.codes"
expect_error "bad input" "bad.codes" "$BIN" train --task translate --src "$T/train.en" --tgt "$T/train.de" --codes "$T/bad.codes" --out "$T/x" "${small[@]}"
"$BIN" bpe learn --input "$T/train.de" --merges 10 --out "$T/other.codes" 2>/dev/null || die "bpe learn failed"
cp "$T/other.codes" "$T/m/bpe.codes"
expect_error "bad input" "not the codes file this model was trained with" \
  "$BIN" train --task translate --src "$T/train.en" --tgt "$T/train.de" --resume --steps 50 --out "$T/m" "${small[@]}"
expect_error "bad input" "has 400 lines but" "$BIN" eval --model "$T/m" --src "$T/train.en" --ref "$T/short.de"
expect_error "bad input" "Hugging Face" "$BIN" eval --model "$SRC_DIR/tests/fixtures/tiny-bert"
"$BIN" train --task sort --out "$T/rnn" --steps 5 --eval-every 5 --heldout 10 --quiet 2>/dev/null || die "rnn training failed"
expect_error "bad input" "already holds a model" "$BIN" train --task translate --src "$T/train.en" --tgt "$T/train.de" --out "$T/rnn" "${small[@]}"
expect_error "bad input" "no checkpoint" \
  "$BIN" train --task translate --src "$T/train.en" --tgt "$T/train.de" --resume --out "$T/rnn" "${small[@]}"
# Character models mask with a placeholder character now (one model interface); a range past the
# input is still refused.
expect_error "bad input" "the input has 5 tokens" "$BIN" run --model "$T/rnn" "1, 2" --mask 7:9
expect_error "bad input" "src FILE" "$BIN" train --task translate --out "$T/y"
echo "translate: $passed passed, $failures failed"
[ "$failures" -eq 0 ]
