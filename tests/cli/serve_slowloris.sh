#!/usr/bin/env bash
# The viewer keeps answering while clients hold connections open: 200 that trickle a request a
# byte every half second (slowloris) and 200 that send nothing. A real request for the page must
# still be answered at once (each connection has its own thread: serve/connection_threads.h).
# Before that, httplib's 32-thread pool was held by the first 32 slow clients.
set -uo pipefail
BIN=$1
source "$(dirname "$0")/../lib.sh"
DIR=$(mktemp -d)
pid=""; slow=""
trap '[ -n "$slow" ] && kill $slow 2>/dev/null; [ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$DIR"' EXIT
"$BIN" render --demo-set "$DIR/demo.attn.safetensors" >/dev/null
"$BIN" serve "$DIR/demo.attn.safetensors" --port 0 >"$DIR/out" 2>"$DIR/err" &
pid=$!
for _ in $(seq 100); do grep -q "http://" "$DIR/out" 2>/dev/null && break; sleep 0.1; done
port=$(grep -o '127.0.0.1:[0-9]*' "$DIR/out" | head -1 | cut -d: -f2)
[ -n "$port" ] || { fail "server did not start: $(cat "$DIR/err")"; exit 1; }

python3 - "$port" "$DIR/ready" <<'PY' &
import socket, sys, time
port, ready = int(sys.argv[1]), sys.argv[2]
trickle, idle = [], []
for _ in range(200):
    s = socket.create_connection(("127.0.0.1", port)); s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "); trickle.append(s)
for _ in range(200):
    idle.append(socket.create_connection(("127.0.0.1", port)))
open(ready, "w").close()
for _ in range(40):  # 20 s of one byte per connection every half second
    for s in trickle:
        try: s.send(b"a")
        except OSError: pass
    time.sleep(0.5)
PY
slow=$!
for _ in $(seq 100); do [ -f "$DIR/ready" ] && break; sleep 0.1; done
[ -f "$DIR/ready" ] || fail "the slow clients did not connect"
sleep 1
start=$(date +%s.%N)
code=$(curl -s -o "$DIR/page" -w '%{http_code}' -m 5 "http://127.0.0.1:$port/")
took=$(echo "$(date +%s.%N) - $start" | bc)
if [ "$code" = 200 ] && grep -q "<html" "$DIR/page"; then ok "page answered in ${took}s beside 200 trickling and 200 idle connections"
else fail "page not answered within 5 s beside slow clients (HTTP $code after ${took}s)"; fi
code=$(curl -s -o /dev/null -w '%{http_code}' -m 5 "http://127.0.0.1:$port/api/info")
expect "API answered beside slow clients" 200 "$code"
# A header line of 1 MB is refused, not buffered: an error status, or the connection closed.
status=$(python3 - "$port" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
try:
    s.sendall(b"GET /api/info HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 1000000 + b"\r\n\r\n")
    line = s.recv(100).split(b"\r\n")[0].decode()
    print(line.split()[1] if line else "closed")
except OSError:
    print("closed")
PY
)
case "$status" in 4*|closed) ok "a 1 MB header is refused ($status)" ;; *) fail "a 1 MB header got [$status]" ;; esac
kill "$slow" 2>/dev/null; wait "$slow" 2>/dev/null; slow=""
kill "$pid"; wait "$pid"; rc=$?; pid=""
# SIGTERM stops the server cleanly once the slow connections are gone.
expect "server stops on SIGTERM" 0 "$rc"
[ "$failures" -eq 0 ]
