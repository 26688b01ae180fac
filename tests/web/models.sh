#!/usr/bin/env bash
# The viewer on every kind of model, in headless Chromium: serves tiny-bert, tiny-marian (token
# ids: the fixture has no tokenizer files) and stories260K (../shared; tiny-gpt2 stands in when
# it is absent), then runs models.test.mjs: type into BERT, mask a word, see the Compare view's
# difference; generate with the LM and step through the generated tokens; translate with Marian
# and see its cross-attention. Bounded: ends within about 120 s.
# usage: models.sh BIN   (env: ATTNSCOPE_SOURCE_DIR, ATTNSCOPE_BUILD_DIR)
set -uo pipefail
BIN=$(realpath "$1")
SRC=${ATTNSCOPE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${ATTNSCOPE_BUILD_DIR:-$(dirname "$BIN")}
source "$SRC/tests/web/lib.sh"
web_requirements || exit 0

DEADLINE=$((SECONDS + 110))
T=$(mktemp -d)
trap 'stop_server; rm -rf "$T"' EXIT
FIX=$SRC/tests/fixtures
LM=$SRC/../shared/models/stories260K
LM_NAME=stories260K
if [ ! -f "$LM/stories260K.bin" ]; then
  echo "note: ../shared not found: tiny-gpt2 generates instead of stories260K"
  LM=$FIX/tiny-gpt2 LM_NAME=tiny-gpt2
fi
start_server "$T" --model "$FIX/tiny-bert" --model "$LM" --model "$FIX/tiny-marian" || exit 1

SHOTS=$BUILD/web-screenshots
mkdir -p "$SHOTS"
LIMIT=$((DEADLINE - SECONDS))
WEB_TEST_LIMIT_S=$((LIMIT - 5)) NODE_PATH="$SRC/node_modules" timeout -k 3 "$LIMIT" node "$SRC/tests/web/models.test.mjs" "$URL" "$LM_NAME" "$SHOTS"
rc=$?
[ $rc -eq 124 ] && echo "FAIL: browser checks ran past $LIMIT s"
if stop_server; then echo "ok   SIGINT: server stopped, exit 0"; else rc=1; fi
exit $rc
