# Shared by tests/web/*.sh and bench/viewer: what the browser checks need, and starting and
# stopping `attnscope serve` with bounded waits. Source it after setting BIN and SRC.

# Returns 1 after printing "skipped: ..." when chromium, node or playwright-core is missing.
web_requirements() {
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=("chromium (/usr/bin/chromium)")
  command -v node >/dev/null 2>&1 || missing+=("node")
  [ -f "$SRC/node_modules/playwright-core/package.json" ] || missing+=("playwright-core (node_modules; scripts/install-deps.sh)")
  /usr/bin/python3 -c 'import numpy' 2>/dev/null || missing+=("python3-numpy")
  if [ ${#missing[@]} -gt 0 ]; then
    echo "skipped: not installed: ${missing[*]}"
    return 1
  fi
}

SERVER_PID=""
URL=""
# start_server DIR ARGS...: `attnscope serve --port 0 ARGS` in the background; sets SERVER_PID
# and URL (waits at most SERVER_START_WAIT seconds, default 20, for the address line).
start_server() {
  local dir=$1; shift
  "$BIN" serve --port 0 "$@" >"$dir/serve.out" 2>"$dir/serve.err" &
  SERVER_PID=$!
  for _ in $(seq 1 $((${SERVER_START_WAIT:-20} * 10))); do
    grep -q '^attnscope serve: http' "$dir/serve.out" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  URL=$(grep -o 'http://[^ ]*' "$dir/serve.out" | head -1); URL=${URL%/}
  if [ -z "$URL" ]; then
    echo "FAIL: server did not start"; cat "$dir/serve.err"
    return 1
  fi
}

# SIGINT, then up to 5 s for a clean exit 0; SIGKILL (and failure) after that.
stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  local pid=$SERVER_PID
  SERVER_PID=""
  kill -INT "$pid" 2>/dev/null
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    echo "FAIL SIGINT: server still running 5 s after SIGINT; killed"
    return 1
  fi
  wait "$pid"
  local rc=$?
  [ $rc -eq 0 ] || { echo "FAIL SIGINT: server exit $rc"; return 1; }
}
