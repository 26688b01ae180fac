#!/usr/bin/env bash
# Runs the fuzz targets built in BUILD (fuzz/CMakeLists.txt).
#   fuzz/run.sh BUILD SECONDS [TARGET...]   fuzz each target for SECONDS; corpora in BUILD/corpus
#                                           (kept between runs, seeded by fuzz/make_seeds.py),
#                                           crashing inputs in BUILD/crashes/TARGET
#   fuzz/run.sh BUILD replay [TARGET...]    run every input under fuzz/regressions/TARGET once
# Prints executions and crashes per target; exits 1 when any target crashed (or a replay failed).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "${1:?usage: fuzz/run.sh BUILD SECONDS|replay [TARGET...]}" && pwd)"
mode="${2:?usage: fuzz/run.sh BUILD SECONDS|replay [TARGET...]}"
shift 2
all=(safetensors npy npz attention_json model_config llama2c tokenizers bpe_codes alignment serve_request viewer_set)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")

# The longest input each target is given: room for the seeds, small enough to stay fast.
max_len() {
  case "$1" in
    safetensors) echo 32768 ;;
    npz | tokenizers) echo 16384 ;;
    attention_json | llama2c) echo 8192 ;;
    serve_request) echo 1024 ;;
    viewer_set) echo 8192 ;;
    *) echo 4096 ;;
  esac
}

failed=0
if [ "$mode" = replay ]; then
  for t in "${targets[@]}"; do
    inputs=("$here/regressions/$t"/*)
    [ -e "${inputs[0]}" ] || { printf '%-16s no regression inputs\n' "$t"; continue; }
    if "$build/$t" -rss_limit_mb=2048 -timeout=10 "${inputs[@]}" >"$build/replay-$t.log" 2>&1; then
      printf '%-16s %d regression inputs: ok\n' "$t" "${#inputs[@]}"
    else
      printf '%-16s FAILED on a regression input (log: %s)\n' "$t" "$build/replay-$t.log"
      tail -30 "$build/replay-$t.log"
      failed=1
    fi
  done
  exit $failed
fi

seconds="$mode"
seeds="$(mktemp -d "$build/seeds.XXXXXX")"  # one per run: two runs may share BUILD
trap 'rm -rf "$seeds"' EXIT
/usr/bin/python3 "$here/make_seeds.py" "$seeds" >/dev/null || echo "run.sh: make_seeds.py failed; fuzzing from regressions only"
printf '%-16s %12s %8s  %s\n' target executions crashes "crashing inputs"
for t in "${targets[@]}"; do
  corpus="$build/corpus/$t"
  crashes="$build/crashes/$t"
  mkdir -p "$corpus" "$crashes"
  before=$(ls "$crashes" | wc -l)
  log="$build/fuzz-$t.log"
  # -fork/-jobs would use more cores; the machine's other work needs them.
  dirs=("$corpus")
  for d in "$seeds/$t" "$here/regressions/$t"; do [ -d "$d" ] && dirs+=("$d"); done
  "$build/$t" "${dirs[@]}" \
    -dict="$here/fuzz.dict" -max_total_time="$seconds" -max_len="$(max_len "$t")" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$crashes/" >"$log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  [ -z "$runs" ] && runs=$(grep -o '^Done [0-9]* runs' "$log" | grep -o '[0-9]*' | tail -1)
  after=$(ls "$crashes" | wc -l)
  new=$((after - before))
  list=$(ls -t "$crashes" | head -"$new" | tr '\n' ' ')
  printf '%-16s %12s %8d  %s\n' "$t" "${runs:-?}" "$new" "$list"
  if [ $rc -ne 0 ] || [ $new -gt 0 ]; then
    failed=1
    grep -m1 -A12 'ERROR: \|runtime error\|==ERROR' "$log" | sed 's/^/    /'
  fi
done
exit $failed
