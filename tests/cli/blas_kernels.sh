#!/usr/bin/env bash
# attnscope --version --blas names the OpenBLAS kernels in use. On a CPU with AVX2 + FMA, attnscope must
# not run OpenBLAS's slow fallback kernels (Prescott, Core2, Nehalem, Sandybridge), which Debian's
# OpenBLAS 0.3.21 picks for CPUs newer than it knows; a user's OPENBLAS_CORETYPE must stand.
set -euo pipefail
BIN=$1
out=$(env -u OPENBLAS_CORETYPE -u ATTNSCOPE_BLAS_REEXEC "$BIN" --version --blas)
echo "$out"
line=$(grep '^matrix products:' <<<"$out") || { echo "FAIL: no 'matrix products:' line"; exit 1; }
if ! grep -q OpenBLAS <<<"$line"; then echo "skipped: libtorch does not use OpenBLAS here"; exit 0; fi
if grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
  if grep -qiE ' (prescott|core2|nehalem|sandybridge) kernels' <<<"$line"; then
    echo "FAIL: slow fallback kernels on a CPU with AVX2: $line"; exit 1
  fi
fi
forced=$(OPENBLAS_CORETYPE=Prescott "$BIN" --version --blas | grep '^matrix products:')
grep -q "Prescott kernels (OPENBLAS_CORETYPE)" <<<"$forced" || { echo "FAIL: OPENBLAS_CORETYPE=Prescott not kept: $forced"; exit 1; }
# The re-execution keeps arguments and exit status: a bad flag still fails with its own message.
if err=$(env -u OPENBLAS_CORETYPE "$BIN" run --no-such-flag 2>&1); then echo "FAIL: bad flag accepted"; exit 1; fi
grep -q -- "--no-such-flag" <<<"$err" || { echo "FAIL: error does not name the flag: $err"; exit 1; }
echo "ok"
