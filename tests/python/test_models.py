"""attnscope.load(...).run(...): the same text, tokens and attention as `attnscope run --json`,
on every kind of model; bad arguments raise one-line exceptions."""
import json
import os
import subprocess

import numpy as np
import pytest

import attnscope

SRC = os.environ.get("ATTNSCOPE_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
FIX = os.path.join(SRC, "tests", "fixtures")
STORIES = os.path.join(SRC, "..", "shared", "models", "stories260K")
BIN = os.path.join(os.path.dirname(os.path.dirname(attnscope.__file__)), "..", "attnscope")


def cli_json(*args):
    out = subprocess.run([BIN, "run", *args, "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[0])


def test_stories260k_matches_the_command_line(tmp_path):
    if not os.path.exists(os.path.join(STORIES, "stories260K.bin")):
        pytest.skip("skipped: ../shared not found")
    m = attnscope.load(STORIES)
    assert m.info["layers"] == 5 and m.info["heads"] == 8 and m.info["role"] == "decoder"
    r = m.run("Once upon a time", max_new_tokens=20)
    cli = cli_json("--model", STORIES, "Once upon a time", "--max-new-tokens", "20", "--attn", str(tmp_path / "a.attn.safetensors"))
    assert r.text == cli["text"]
    assert r.tokens == cli["tokens"]
    assert r.ids == cli["ids"]
    saved = attnscope.open(str(tmp_path / "a.attn.safetensors"))
    # Within float rounding: the command line picks OpenBLAS's AVX-512/AVX2 kernels itself
    # (models/blas_kernels.h), a Python process keeps the ones OpenBLAS chose.
    for layer in range(5):
        np.testing.assert_allclose(r.attention.weights("decoder-self", layer), saved.weights("decoder-self", layer),
                                   rtol=0, atol=1e-5)
    assert r.attention.weights("decoder-self", 4).shape == (8, len(r.tokens), len(r.tokens))


def test_bert_masks_and_predicts():
    m = attnscope.load(os.path.join(FIX, "tiny-bert"))
    r = m.run("the cat [MASK] on the mat")
    assert r.predictions and r.predictions[0]["position"] == 3
    assert m.tokenize("the cat sat") == ["[CLS]", "the", "cat", "sat", "[SEP]"]
    masked = m.run("the cat sat on the mat", mask=[2])
    assert masked.masked is not None
    assert [run["name"] for run in masked.attention.runs] == ["original", "masked"]
    assert masked.attention.runs[1]["source_tokens"][2] == "[MASK]"


def test_marian_forced_output_shares_the_target():
    m = attnscope.load(os.path.join(FIX, "tiny-marian"))
    free = m.run("5 17 42 8 0", max_new_tokens=6)
    forced = m.run("5 17 42 8 0", forced_output=" ".join(str(i) for i in free._r["output_ids"]))
    assert forced.stopped == "forced"
    np.testing.assert_allclose(forced.attention.weights("cross", 1), free.attention.weights("cross", 1), atol=1e-6)


def test_gil_is_released_while_a_model_runs():
    import threading
    import time

    m = attnscope.load(os.path.join(FIX, "tiny-llama"))
    ticks, runs = [], []
    done = threading.Event()

    def tick():
        while not done.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.0005)

    t = threading.Thread(target=tick)
    t.start()
    for _ in range(5):
        start = time.perf_counter()
        m.run("1 5 9", max_new_tokens=60)  # context 64: about 60 forward passes each
        runs.append((start, time.perf_counter()))
    done.set()
    t.join()
    # Ticks while C++ ran: impossible if the call held the GIL.
    inside = sum(1 for x in ticks if any(a < x < b for a, b in runs))
    assert inside >= 3, f"{inside} ticks during {sum(b - a for a, b in runs) * 1000:.0f} ms of model runs"


@pytest.mark.parametrize("call,err,match", [
    (lambda m: m.run(42), TypeError, "text must be a string"),
    (lambda m: m.run("the cat", max_new_tokens=-1), ValueError, "max_new_tokens"),
    (lambda m: m.run("the cat", beam=3), ValueError, "--beam applies to encoder-decoder"),
    (lambda m: m.run("the cat", mask=[-1]), ValueError, "mask must list"),
    (lambda m: m.run("the cat", mask=[40]), ValueError, "mask position 40 is outside"),
])
def test_bad_arguments_raise_one_line(call, err, match):
    m = attnscope.load(os.path.join(FIX, "tiny-gpt2"))
    with pytest.raises(err, match=match) as e:
        call(m)
    assert "\n" not in str(e.value)


def test_load_errors_name_the_path():
    with pytest.raises(RuntimeError, match="no-such-model"):
        attnscope.load(os.path.join(FIX, "no-such-model"))


def test_sets_do_not_load_libtorch():
    code = ("import attnscope, sys; import numpy as np; "
            "s = attnscope.from_attentions([np.full((1, 1, 2, 2), 0.5, np.float32)], ['a', 'b']); s.render('heatmap', None); "
            "maps = open('/proc/self/maps').read(); print('libtorch' in maps)")
    out = subprocess.run([os.sys.executable, "-c", code], check=True, capture_output=True, text=True,
                         env={**os.environ}).stdout.strip()
    assert out == "False"


def test_ctrl_c_stops_a_long_run_cleanly():
    if not os.path.exists(os.path.join(STORIES, "stories260K.bin")):
        pytest.skip("skipped: ../shared not found")
    import signal
    import threading
    import time

    m = attnscope.load(STORIES)
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    start = time.perf_counter()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        m.run("Once upon a time", max_new_tokens=480)
    stopped_after = time.perf_counter() - start
    timer.join()
    r = m.run("Once upon a time", max_new_tokens=3)  # still usable afterwards
    assert len(r.output_tokens) == 3
    assert stopped_after < 5, f"took {stopped_after:.1f} s to stop"


def test_long_text_as_queries_and_keys():
    # A text read without generating (max_new_tokens=0), kept as queries and keys: tile() computes
    # exact weights, weights() says to ask tile(), and both forms agree to float32 rounding.
    if not os.path.exists(os.path.join(STORIES, "stories260K.bin")):
        pytest.skip("skipped: ../shared not found")
    m = attnscope.load(STORIES)
    text = "Once upon a time there was a little dog. " * 12
    qk = m.run(text, max_new_tokens=0, weights="query-key")
    dense = m.run(text, max_new_tokens=0, weights="dense")
    assert qk.output_tokens == [] and qk.tokens == dense.tokens
    T = len(qk.tokens)
    with pytest.raises(ValueError, match="holds queries and keys"):
        qk.attention.weights("decoder-self", 2)
    tile = qk.attention.tile("decoder-self", 2, 5, 0, T, 0, T)
    np.testing.assert_allclose(tile, dense.attention.weights("decoder-self", 2)[5], atol=2e-5)
    np.testing.assert_allclose(tile.sum(axis=1), 1.0, atol=1e-6)
    assert tile[3, 4] == 0.0  # causal
    with pytest.raises(IndexError):
        qk.attention.tile("decoder-self", 2, 8, 0, 1, 0, 1)
    with pytest.raises(ValueError, match="weights must be"):
        m.run(text, weights="sparse")
