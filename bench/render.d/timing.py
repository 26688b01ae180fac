"""Times whole processes for bench/render: each command run N times, fastest and median printed.
Whole processes on purpose: start-up (loading libraries, importing pyplot) is what a user waits for.

    timing.py N -- CMD ARGS...     prints "min_s median_s"
"""
import statistics
import subprocess
import sys
import time

n = int(sys.argv[1])
cmd = sys.argv[3:]
times = []
for _ in range(n):
    t0 = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    times.append(time.perf_counter() - t0)
    if r.returncode != 0:
        sys.stderr.write(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr.decode()[-500:]}\n")
        sys.exit(1)
print(f"{min(times):.4f} {statistics.median(times):.4f}")
