"""attnscope.from_attentions / from_seq2seq / open: arrays in without a copy, figures and files
out, and one-line Python exceptions for bad input."""
import os
import struct
import sys

import numpy as np
import pytest

import attnscope

torch = pytest.importorskip("torch")


def softmax_layers(layers=3, heads=4, n=6, batch=1, seed=0, dtype=torch.float32):
    g = torch.Generator().manual_seed(seed)
    return tuple(torch.softmax(torch.randn(batch, heads, n, n, generator=g), -1).to(dtype) for _ in range(layers))


TOKENS = ["[CLS]", "the", "cat", "sat", "down", "[SEP]"]


def test_from_torch_is_zero_copy():
    att = softmax_layers()
    s = attnscope.from_attentions(att, TOKENS)
    assert s.kinds == ["encoder-self"]
    assert s.layers == {"encoder-self": 3}
    assert s.heads == {"encoder-self": 4}
    assert s.tokens["source"] == TOKENS
    assert s._borrowed("encoder-self", 1)
    w = s.weights("encoder-self", 1)
    assert w.shape == (4, 6, 6)
    assert np.shares_memory(w, att[1].numpy())
    # Change the tensor after from_attentions: the set sees it (it holds the caller's memory).
    before = float(w[2, 3, 4])
    att[1][0, 2, 3, 4] = 0.625
    assert float(s.weights("encoder-self", 1)[2, 3, 4]) == 0.625 != before
    assert "converted" not in s.meta


def test_from_numpy_is_zero_copy_and_keeps_the_array_alive():
    a = [np.ascontiguousarray(x.numpy()) for x in softmax_layers(layers=2)]
    s = attnscope.from_attentions(a, TOKENS)
    addr = a[0].__array_interface__["data"][0] + 0  # batch item 0 starts at the array's start
    assert s.weights("encoder-self", 0).__array_interface__["data"][0] == addr
    del a
    assert s.weights("encoder-self", 0).shape == (4, 6, 6)  # still valid: the set holds the arrays


@pytest.mark.parametrize("dtype,note", [(torch.float16, "float16 converted"), (torch.bfloat16, "bfloat16 converted"),
                                        (torch.float64, "float64 converted")])
def test_other_dtypes_are_converted_and_the_set_says_so(dtype, note):
    att = softmax_layers(dtype=dtype)
    s = attnscope.from_attentions(att, TOKENS)
    assert note in s.meta["converted"]
    assert not np.shares_memory(s.weights("encoder-self", 0), att[0].float().numpy())
    np.testing.assert_allclose(s.weights("encoder-self", 0), att[0][0].float().numpy(), rtol=0, atol=0)


def test_non_contiguous_is_copied_and_said():
    att = tuple(a.transpose(2, 3) for a in softmax_layers())
    s = attnscope.from_attentions(att, TOKENS)
    assert "non-contiguous" in s.meta["converted"]
    np.testing.assert_array_equal(s.weights("encoder-self", 2), att[2][0].numpy())


def test_batch_item_and_decoder_kind():
    att = softmax_layers(batch=3)
    s = attnscope.from_attentions(att, TOKENS, batch=2, kind="decoder-self")
    assert s.kinds == ["decoder-self"]
    assert s.tokens["target"] == TOKENS
    np.testing.assert_array_equal(s.weights("decoder-self", 0), att[0][2].numpy())
    assert np.shares_memory(s.weights("decoder-self", 0), att[0].numpy())


def test_from_seq2seq_any_of_three():
    src, tgt = ["a", "b", "c", "</s>"], ["x", "y", "</s>"]
    g = torch.Generator().manual_seed(1)
    enc = tuple(torch.softmax(torch.randn(1, 2, 4, 4, generator=g), -1) for _ in range(2))
    cross = tuple(torch.softmax(torch.randn(1, 2, 3, 4, generator=g), -1) for _ in range(2))
    s = attnscope.from_seq2seq(enc, None, cross, src, tgt)
    assert s.kinds == ["encoder-self", "cross"]
    assert s.weights("cross", 1).shape == (2, 3, 4)
    only = attnscope.from_seq2seq(cross_attentions=cross, source_tokens=src, target_tokens=tgt)
    assert only.kinds == ["cross"]


@pytest.mark.parametrize("view", ["heatmap", "grid", "heads", "lines", "steps", "gallery"])
def test_every_view_renders_to_png_bytes_and_files(tmp_path, view):
    s = attnscope.from_attentions(softmax_layers(), TOKENS)
    png = s.render(view, None)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width > 100 and height > 100
    for ext in ("png", "svg", "pdf"):
        out = tmp_path / f"fig.{ext}"
        s.render(view, str(out), colormap="magma", vmin=0.0, vmax=1.0)
        assert out.stat().st_size > 500


def test_render_options_and_bad_options():
    s = attnscope.from_attentions(softmax_layers(), TOKENS)
    png = s.render("heatmap", None, layer=1, head=2, title="seed 000")
    assert png.startswith(b"\x89PNG")
    # Indices from 0 as in Python; the lines view overlays several heads.
    assert s.render("lines", None, layer=1, heads=[0, 2]).startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="counted from 1"):
        s.render("heatmap", None, layer=1, head=99)
    with pytest.raises(TypeError, match="unexpected option 'colour'"):
        s.render("heatmap", None, colour="red")
    with pytest.raises(ValueError):
        s.render("no-such-view", None)


def test_save_and_open_round_trip(tmp_path):
    att = softmax_layers()
    s = attnscope.from_attentions(att, TOKENS)
    path = str(tmp_path / "a.attn.safetensors")
    s.save(path)
    back = attnscope.open(path)
    assert back.kinds == s.kinds and back.tokens == s.tokens
    for layer in range(3):
        np.testing.assert_array_equal(back.weights("encoder-self", layer), att[layer][0].numpy())
    assert not back._borrowed("encoder-self", 0)


def test_repr_png_shows_the_grid():
    s = attnscope.from_attentions(softmax_layers(), TOKENS)
    assert s._repr_png_().startswith(b"\x89PNG")
    assert "3 layers x 4 heads" in repr(s)


def test_weights_views_are_read_only():
    s = attnscope.from_attentions(softmax_layers(), TOKENS)
    w = s.weights("encoder-self", 0)
    with pytest.raises(ValueError):
        w[0, 0, 0] = 1.0


def test_html_page_is_self_contained():
    s = attnscope.from_attentions(softmax_layers(), TOKENS)
    page = s.html("test")
    assert page.startswith("<!doctype html>") and "http://" not in page.split("<script")[0]


@pytest.mark.parametrize("bad,err,match", [
    (lambda: attnscope.from_attentions(torch.rand(2, 3, 6, 6), TOKENS), TypeError, "tuple or list"),
    (lambda: attnscope.from_attentions([torch.rand(4, 6, 6)], TOKENS), ValueError, "3 dimensions; expected 4"),
    (lambda: attnscope.from_attentions([torch.rand(1, 4, 6, 6), torch.rand(1, 3, 6, 6)], TOKENS), ValueError,
     "same heads and lengths"),
    (lambda: attnscope.from_attentions([torch.rand(1, 4, 6, 6)], TOKENS[:5]), ValueError, "5 tokens but"),
    (lambda: attnscope.from_attentions([np.ones((1, 4, 6, 6), dtype=np.int64)], TOKENS), TypeError, "floating point"),
    (lambda: attnscope.from_attentions([torch.ones(1, 4, 6, 6, dtype=torch.int32)], TOKENS), TypeError, "floating point"),
    (lambda: attnscope.from_attentions([], TOKENS), ValueError, "empty"),
    (lambda: attnscope.from_attentions([torch.rand(1, 4, 6, 6)], "the cat"), TypeError, "list of token strings"),
    (lambda: attnscope.from_attentions([torch.rand(2, 4, 6, 6)], TOKENS, batch=2), ValueError, "batch=2"),
    (lambda: attnscope.from_seq2seq(), ValueError, "at least one"),
    (lambda: attnscope.open("/nonexistent/x.attn.safetensors"), RuntimeError, "x.attn.safetensors"),
])
def test_bad_input_raises_one_line(bad, err, match):
    with pytest.raises(err, match=match) as e:
        bad()
    assert "\n" not in str(e.value)


def test_nan_is_kept_with_a_warning():
    att = list(softmax_layers())
    att[0][0, 0, 0, 0] = float("nan")
    with pytest.warns(RuntimeWarning, match="not finite"):
        s = attnscope.from_attentions(att, TOKENS)
    assert np.isnan(s.weights("encoder-self", 0)[0, 0, 0])


def test_cuda_tensors_are_refused_with_the_fix():
    class FakeCuda:  # a stand-in: the test machine has no GPU
        is_cuda = True
        device = "cuda:0"

        def detach(self):
            return self

    with pytest.raises(TypeError, match="move it to the CPU"):
        attnscope.from_attentions([FakeCuda()], TOKENS)
