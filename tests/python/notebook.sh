#!/usr/bin/env bash
# examples/attention.ipynb as a user runs it: executed headless (nbclient, ipykernel) in the
# project's venv (.venv: Hugging Face transformers, scripts/install-deps.sh) with build/python on
# the kernel's path, converted to HTML (nbconvert) and opened from file:// in headless Chromium
# (playwright-core): each inline viewer drew every layer x head, clicking a thumbnail shows that
# head, the hover read-out equals the weight transformers computed (read from the executed
# kernel), and nothing was requested from another host, with no console errors. Skips, and says
# so, when a tool is missing.
# usage: notebook.sh BUILD_DIR   (env: ATTNSCOPE_SOURCE_DIR, PYTHON: used when .venv lacks transformers)
set -uo pipefail
BUILD=$(realpath "$1")
SRC=${ATTNSCOPE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=$BUILD/attnscope
source "$SRC/tests/web/lib.sh"
web_requirements || exit 0
needs='import transformers, torch, nbclient, nbconvert, ipykernel'
PY=""
for candidate in "$SRC/.venv/bin/python" "${PYTHON:-/usr/bin/python3}"; do
  if [ -x "$candidate" ] && "$candidate" -c "$needs" 2>/dev/null; then PY=$candidate; break; fi
done
[ -n "$PY" ] || { echo "skipped: no Python with transformers, torch, nbclient, nbconvert and ipykernel (.venv: scripts/install-deps.sh)"; exit 0; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# The kernel runs $PY: a kernelspec named python3 (what the notebook asks for) ahead of the
# system's /usr/share/jupyter/kernels/python3, which would start /usr/bin/python3 instead.
mkdir -p "$T/jupyter/kernels/python3"
printf '{"argv": ["%s", "-m", "ipykernel_launcher", "-f", "{connection_file}"], "display_name": "Python 3", "language": "python"}\n' \
  "$PY" >"$T/jupyter/kernels/python3/kernel.json"
export JUPYTER_PATH=$T/jupyter PYTHONPATH=$BUILD/python ATTNSCOPE_SOURCE_DIR=$SRC PYDEVD_DISABLE_FILE_VALIDATION=1
timeout 240 "$PY" - "$SRC/examples/attention.ipynb" "$T" "$PY" <<'PY' || { echo "FAIL: the notebook did not run"; exit 1; }
import json, os, sys, time
import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter
src, out, python = sys.argv[1:4]
nb = nbformat.read(src, as_version=4)
# One more cell, run by the same kernel and dropped before the notebook is saved: which
# interpreter ran it, and what the BERT viewer must read out (transformers' own tensor).
probe = nbformat.v4.new_code_cell(
    "import sys, json\n"
    "print('PROBE', json.dumps({'python': sys.executable, 'layers': len(bert_out.attentions),\n"
    "      'heads': bert_out.attentions[0].shape[1], 'value': float(bert_out.attentions[1][0, 2, 1, 2])}))")
nb.cells.append(probe)
t0 = time.time()
NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": os.path.dirname(src)}}).execute()
for c in nb.cells:
    for o in c.get("outputs", []):
        assert o.get("output_type") != "error", "".join(o.get("traceback", []))[-2000:]
text = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
expected = json.loads(text.split("PROBE ", 1)[1])
assert os.path.realpath(expected["python"]) == os.path.realpath(python) or expected["python"] == python, \
    f"the kernel ran {expected['python']}, not {python}"
nb.cells.pop()
viewers = sum(1 for c in nb.cells for o in c.get("outputs", []) if "attnscope-viewer" in str(o.get("data", {}).get("text/html", "")))
expected["viewers"] = viewers
json.dump(expected, open(os.path.join(out, "expected.json"), "w"))
nbformat.write(nb, os.path.join(out, "attention.ipynb"))
# The "basic" template: the cells without the full page's links to requirejs and MathJax, which
# Debian serves from /usr/share/javascript only when libjs-* packages are installed.
body, _ = HTMLExporter(template_name="basic").from_notebook_node(nb)
page = "<!doctype html><html><head><meta charset='utf-8'><title>attention.ipynb</title></head><body>" + body + "</body></html>"
open(os.path.join(out, "attention.html"), "w", encoding="utf-8").write(page)
print(f"ok   executed examples/attention.ipynb in {time.time() - t0:.1f} s (kernel: {expected['python']}) and converted it to HTML")
PY
NODE_PATH="$SRC/node_modules" timeout -k 3 120 node "$SRC/tests/python/notebook.test.mjs" "$T/attention.html" "$T/expected.json" "$BUILD/web-screenshots"
