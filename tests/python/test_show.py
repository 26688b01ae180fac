"""attnscope.show(): every head embedded for small sets; thumbnails and the first head for large
ones, the rest from the kernel's data server (the bytes `attnscope serve` sends)."""
import json
import re
import urllib.error
import urllib.request

import numpy as np
import pytest

import attnscope


def softmaxed(layers, heads, n, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(layers):
        x = rng.standard_normal((1, heads, n, n)).astype(np.float32) * 3
        x = np.exp(x - x.max(-1, keepdims=True))
        out.append(x / x.sum(-1, keepdims=True))
    return out


def embedded(page):
    blob = re.search(r'<script id="attnscope-data" type="application/json">(.*?)</script>', page, re.S).group(1)
    return json.loads(blob)


def test_a_small_set_is_embedded_whole_and_needs_no_kernel():
    v = attnscope.show(softmaxed(2, 3, 10), [f"t{i}" for i in range(10)])
    data = embedded(v.html)
    assert v.embedded == "all" and v.remote == "" and "remote" not in data
    blocks = [u for u in data["responses"] if "/block?" in u]
    assert len(blocks) == 2 * (3 + 1)  # every head and the mean of each layer


def test_a_large_set_embeds_thumbnails_and_the_first_head_and_the_kernel_serves_the_rest():
    n = 300  # 12 x 12 heads: over EMBED_ALL_LIMIT
    s = attnscope.from_attentions(softmaxed(12, 12, n), [f"t{i}" for i in range(n)])
    v = attnscope.show(s)
    data = embedded(v.html)
    assert v.embedded == "thumbnails" and data["remote"] == v.remote and v.remote.startswith("http://127.0.0.1:")
    first = "/api/sets/0/block?run=0&block=encoder-self.0&head=0&merge=0"
    assert [u for u in data["responses"] if "/block?" in u] == [first]
    assert "/api/sets/0/thumbs?run=0&kind=encoder-self" in data["responses"]
    assert len(v.html) < 2_000_000
    # Another head, from the kernel, as `attnscope serve` encodes it: float16 beyond 256 x 256.
    url = v.remote + "/api/sets/0/block?run=0&block=encoder-self.7&head=5&merge=0"
    with urllib.request.urlopen(url, timeout=10) as r:
        body = r.read()
        assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert body == s._response("block", {"run": "0", "block": "encoder-self.7", "head": "5", "merge": "0"})
    n_header = int.from_bytes(body[:4], "little")
    header = json.loads(body[4:4 + n_header])
    got = np.frombuffer(body[4 + n_header:], dtype=np.float16).reshape(header["shape"])
    np.testing.assert_allclose(got, s.weights("encoder-self", 7)[5], atol=1e-3)
    # A wrong token or a bad request: one line of JSON, the server lives on.
    for bad, status in ((v.remote[:-4] + "xxxx/api/sets/0/block?run=0", 404),
                        (v.remote + "/api/sets/0/block?run=0&block=encoder-self.99&head=0", 400)):
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(bad, timeout=10)
        assert e.value.code == status and "error" in json.loads(e.value.read())
    with urllib.request.urlopen(url, timeout=10) as r:
        assert r.status == 200


def test_embed_can_be_forced_and_is_checked():
    att, toks = softmaxed(1, 2, 8), [f"t{i}" for i in range(8)]
    assert attnscope.show(att, toks, embed="thumbnails").embedded == "thumbnails"
    with pytest.raises(ValueError, match="embed must be"):
        attnscope.show(att, toks, embed="some")


def test_the_nan_check_of_a_large_set_waits_for_show(monkeypatch):
    monkeypatch.setattr(attnscope, "FINITE_CHECK_CELLS", 100)
    att = softmaxed(2, 2, 10)
    att[1][0, 1, 2, 3] = np.nan
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = attnscope.from_attentions(att, [f"t{i}" for i in range(10)])  # no pass over the data
    # show() warns as from_attentions does for small sets; the page then refuses it, as export --html does.
    with pytest.warns(RuntimeWarning, match="encoder-self.1 has weights that are not finite"), \
            pytest.raises(ValueError, match="not finite"):
        attnscope.show(s)


def test_a_query_key_run_shows_and_reports_its_shape():
    """show() sizes a set by its blocks' shapes, so a run recorded as queries and keys (whose
    weights() refuses a dense view) shows like any other."""
    import os
    src = os.environ.get("ATTNSCOPE_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
    model = attnscope.load(os.path.join(src, "tests", "fixtures", "tiny-llama"))
    r = model.run("1 5 9 12", max_new_tokens=3, weights="query-key")
    s = r.attention
    with pytest.raises(ValueError):
        s.weights("decoder-self", 0)
    assert s.shape("decoder-self", 0) == (4, len(r.tokens), len(r.tokens))
    v = attnscope.show(s)
    assert v.embedded == "all" and "attnscope-data" in v.html
