"""attnscope for Python: attention from Hugging Face outputs or attnscope's own models, drawn as
every figure of `attnscope render` and shown in the viewer.

    import attnscope
    s = attnscope.from_attentions(outputs.attentions, tokens)   # no copy for float32 CPU tensors
    s.render("grid", "grid.png", highlight=(8, 8))
    s                                                           # in a notebook: the grid, inline

    m = attnscope.load("models/stories260K")                    # any model attnscope loads
    r = m.run("Once upon a time", max_new_tokens=20)
    r.text, r.tokens, r.attention                               # attention: an AttentionSet
"""
import builtins
import warnings
import weakref

from . import _core
from ._core import AttentionSet

__all__ = ["AttentionSet", "from_attentions", "from_seq2seq", "open", "load", "show", "Model", "RunResult"]

builtins_open = builtins.open
open = _core.open  # noqa: A001 (attnscope.open(path), as the docs name it)


def _repr_png_(self):
    kinds = self.kinds
    if not kinds:
        return None
    return self.render("grid", None, kind=kinds[0])


def _repr(self):
    parts = [f"{k}: {self.layers[k]} layers x {self.heads[k]} heads" for k in self.kinds]
    runs = self.runs
    tokens = len(runs[0]["source_tokens"] or runs[0]["target_tokens"]) if runs else 0
    return f"<attnscope.AttentionSet {len(runs)} run(s), {tokens} tokens; " + "; ".join(parts) + ">"


AttentionSet._repr_png_ = _repr_png_
AttentionSet.__repr__ = _repr


def _as_float32(array, what, converted):
    """A float32, C-contiguous NumPy array of `array` (a torch tensor or anything NumPy reads),
    without a copy when it already is one; records in `converted` why a copy was made."""
    import numpy as np

    if hasattr(array, "detach") and hasattr(array, "is_cuda"):  # a torch tensor
        if str(getattr(array, "device", "cpu")) != "cpu":
            raise TypeError(f"{what} is on {array.device}: move it to the CPU first (.cpu())")
        t = array.detach()
        import torch

        if t.dtype in (torch.float16, torch.bfloat16, torch.float64):
            converted.add(f"{str(t.dtype).replace('torch.', '')} converted to float32")
            t = t.float()
        elif t.dtype != torch.float32:
            raise TypeError(f"{what} has dtype {t.dtype}: attention weights must be floating point")
        if not t.is_contiguous():
            converted.add("non-contiguous tensor copied")
            t = t.contiguous()
        return t.numpy()  # shares the tensor's memory
    a = np.asarray(array)
    if a.dtype.kind not in "f":
        raise TypeError(f"{what} has dtype {a.dtype}: attention weights must be floating point")
    if a.dtype != np.float32:
        converted.add(f"{a.dtype} converted to float32")
        a = a.astype(np.float32)
    if not a.flags["C_CONTIGUOUS"]:
        converted.add("non-contiguous array copied")
        a = np.ascontiguousarray(a)
    return a


def _layers(attentions, what, batch, converted):
    """Per-layer [heads, queries, keys] arrays of batch item `batch` from what HF returns: a tuple
    or list of [batch, heads, queries, keys] tensors or arrays (or one stacked array)."""
    if attentions is None:
        return []
    if not isinstance(attentions, (list, tuple)):
        if getattr(attentions, "ndim", 0) == 5:
            attentions = list(attentions)
        else:
            raise TypeError(f"{what} must be a tuple or list of per-layer [batch, heads, queries, keys] arrays "
                            f"(what outputs.attentions is), not {type(attentions).__name__}")
    if len(attentions) == 0:
        raise ValueError(f"{what} is empty: no layers")
    out = []
    for i, layer in enumerate(attentions):
        a = _as_float32(layer, f"{what}[{i}]", converted)
        if a.ndim != 4:
            raise ValueError(f"{what}[{i}] has {a.ndim} dimensions; expected 4: [batch, heads, queries, keys]")
        if not 0 <= batch < a.shape[0]:
            raise ValueError(f"batch={batch} is outside {what}[{i}]'s batch of {a.shape[0]}")
        out.append(a[batch])  # a view: still C-contiguous, still the caller's memory
    heads, queries, keys = out[0].shape
    for i, a in enumerate(out):
        if a.shape != (heads, queries, keys):
            raise ValueError(f"{what}[{i}] is {list(a.shape)} but {what}[0] is {[heads, queries, keys]}: "
                             "every layer must have the same heads and lengths")
    return out


def _tokens(tokens, what):
    if tokens is None:
        return None
    if isinstance(tokens, str):
        raise TypeError(f"{what} must be a list of token strings, not one string")
    return [str(t) for t in tokens]


# from_attentions checks for NaN and inf up to this many weights (about 10 ms; 12 x 12 heads at
# 300 tokens); a larger set is checked by show(), which reads every weight anyway, so that taking
# a large set stays free (no copy, no pass over the data).
FINITE_CHECK_CELLS = 16 << 20
_unchecked = weakref.WeakSet()  # sets whose NaN check waits for show()


def _warn_not_finite(kind, layer, stacklevel):
    warnings.warn(f"{kind}.{layer} has weights that are not finite (NaN or inf); they are kept as they are",
                  RuntimeWarning, stacklevel=stacklevel)


def _check_finite(s):
    import numpy as np

    if s not in _unchecked:
        return
    _unchecked.discard(s)
    for kind in s.kinds:
        for layer in range(s.layers[kind]):
            if not np.isfinite(s.weights(kind, layer)).all():
                _warn_not_finite(kind, layer, 4)


def _build(blocks, source_tokens, target_tokens, meta, converted):
    import numpy as np

    s = AttentionSet(meta)
    s._add_run("", "", "", source_tokens or [], target_tokens or [], {})
    check_now = sum(a.size for _, layers in blocks for a in layers) <= FINITE_CHECK_CELLS
    for kind, layers in blocks:
        for layer, a in enumerate(layers):
            if check_now and not np.isfinite(a).all():
                _warn_not_finite(kind, layer, 4)
            s._add_block(0, kind, layer, a)
    if not check_now:
        _unchecked.add(s)
    if converted:
        s._set_meta("converted", "; ".join(sorted(converted)))
    return s


def from_attentions(attentions, tokens, batch=0, kind=None):
    """An AttentionSet from what a Hugging Face model returns with output_attentions=True.

    attentions: a tuple or list of per-layer [batch, heads, queries, keys] torch tensors or NumPy
      arrays (outputs.attentions). Contiguous float32 CPU tensors are used without a copy; float16,
      bfloat16, float64 and non-contiguous ones are converted, and set.meta["converted"] says so.
    tokens: the token strings of the sequence (tokenizer.convert_ids_to_tokens(input_ids[0])).
    batch: which batch item (default 0).
    kind: "encoder-self" (BERT-like) or "decoder-self" (GPT-2, Llama); default: encoder-self.
    """
    kind = kind or "encoder-self"
    if kind not in ("encoder-self", "decoder-self"):
        raise ValueError(f"kind must be 'encoder-self' or 'decoder-self', not {kind!r}")
    converted = set()
    layers = _layers(attentions, "attentions", batch, converted)
    toks = _tokens(tokens, "tokens")
    if toks is None:
        raise ValueError("tokens are required: one string per position")
    n = layers[0].shape[1]
    if len(toks) != n or layers[0].shape[2] != n:
        raise ValueError(f"{len(toks)} tokens but the attention is {layers[0].shape[1]} x {layers[0].shape[2]}")
    meta = {"model": "from Python", "transforms": ""}
    if kind == "encoder-self":
        s = _build([(kind, layers)], toks, [], meta, converted)
    else:
        s = _build([(kind, layers)], [], toks, meta, converted)
    return s


def from_seq2seq(encoder_attentions=None, decoder_attentions=None, cross_attentions=None, source_tokens=None,
                 target_tokens=None, batch=0):
    """The same for encoder-decoders (Marian, T5, BART): any of the three may be None.
    encoder: [.., S, S] over source_tokens; decoder: [.., T, T] over target_tokens; cross: [.., T, S]."""
    converted = set()
    enc = _layers(encoder_attentions, "encoder_attentions", batch, converted)
    dec = _layers(decoder_attentions, "decoder_attentions", batch, converted)
    cross = _layers(cross_attentions, "cross_attentions", batch, converted)
    if not (enc or dec or cross):
        raise ValueError("give at least one of encoder_attentions, decoder_attentions, cross_attentions")
    src, tgt = _tokens(source_tokens, "source_tokens"), _tokens(target_tokens, "target_tokens")
    if (enc or cross) and src is None:
        raise ValueError("source_tokens are required with encoder or cross attentions")
    if (dec or cross) and tgt is None:
        raise ValueError("target_tokens are required with decoder or cross attentions")
    checks = [("encoder_attentions", enc, len(src or []), len(src or [])),
              ("decoder_attentions", dec, len(tgt or []), len(tgt or [])),
              ("cross_attentions", cross, len(tgt or []), len(src or []))]
    for what, layers, q, k in checks:
        if layers and layers[0].shape[1:] != (q, k):
            raise ValueError(f"{what} are {layers[0].shape[1]} x {layers[0].shape[2]} but the tokens give {q} x {k}")
    blocks = [b for b in (("encoder-self", enc), ("decoder-self", dec), ("cross", cross)) if b[1]]
    s = _build(blocks, src, tgt, {"model": "from Python", "transforms": ""}, converted)
    return s


# show() embeds every head while the page stays small; past this many bytes of head data (about
# 64 tokens at 12 x 12 heads) it embeds the thumbnails and the first head, and the kernel's data
# server sends the rest on request. Measured (bench/python, docs/python.md): every head embedded,
# 12 x 12 heads at 128 tokens is a 14.6 MB page drawn in about 1.1 s, at 512 a 110 MB page in 5.5 s;
# thumbnails and the first head: about 1 MB and a few hundred ms at any length.
EMBED_ALL_LIMIT = 4 << 20


def _head_bytes(attention_set):
    """The bytes of head data a page embedding every head carries (before base64)."""
    total = 0
    for kind in attention_set.kinds:
        heads, q, k = attention_set.shape(kind, 0)
        per = q * k * (4 if q * k <= 256 * 256 else 2)  # float32 up to 256 x 256 cells, else float16
        total += attention_set.layers[kind] * (heads + 1) * per  # every head and the mean (merged words add more)
    return total


class _DataServer:
    """The kernel's data server for large sets shown inline: http://127.0.0.1:PORT/TOKEN/api/...,
    one port per kernel, started on first use, answering GETs for the sets shown (the last
    KEEP of them, each under its own unguessable token) with the bytes `attnscope serve` sends.
    Only this machine can reach 127.0.0.1, so a notebook served from another machine shows what
    the page embeds and says why the rest is missing."""

    KEEP = 16

    def __init__(self):
        import collections
        import http.server
        import secrets
        import threading
        import urllib.parse

        self.sets = collections.OrderedDict()
        self.lock = threading.Lock()
        self.secrets = secrets
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body, content_type):
                self.send_response(status)
                # The viewer runs in a sandboxed iframe (origin "null") inside a notebook page from
                # any origin; the token in the path is what guards the data.
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Access-Control-Allow-Private-Network", "true")
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def do_OPTIONS(self):
                self._send(204, b"", "text/plain")

            def do_GET(self):
                import json

                url = urllib.parse.urlsplit(self.path)
                parts = url.path.split("/")  # "", token, "api", "sets", "0", endpoint
                with server.lock:
                    s = server.sets.get(parts[1]) if len(parts) > 1 else None
                if s is None or len(parts) != 6 or parts[2:5] != ["api", "sets", "0"]:
                    return self._send(404, json.dumps({"error": "no such set or request"}).encode(), "application/json")
                params = dict(urllib.parse.parse_qsl(url.query))
                try:
                    body = s._response(parts[5], params)
                except (ValueError, IndexError, TypeError) as e:
                    return self._send(400, json.dumps({"error": str(e)}).encode(), "application/json")
                except Exception as e:  # noqa: BLE001 (one line of JSON, never a dead server)
                    return self._send(500, json.dumps({"error": str(e)}).encode(), "application/json")
                json_like = parts[5] in ("topkeys", "headsearch")
                self._send(200, body, "application/json" if json_like else "application/octet-stream")

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, name="attnscope-data", daemon=True).start()

    def add(self, attention_set):
        """Serves `attention_set`; returns the base URL the page asks."""
        token = self.secrets.token_urlsafe(16)
        with self.lock:
            self.sets[token] = attention_set
            while len(self.sets) > self.KEEP:
                self.sets.popitem(last=False)
        return f"http://127.0.0.1:{self.port}/{token}"


_data_server = None


def _serve(attention_set):
    global _data_server
    if _data_server is None:
        _data_server = _DataServer()
    return _data_server.add(attention_set)


class Viewer:
    """The interactive viewer (overview, lines, compare, steps, hover read-out, zoom) inline in a
    notebook cell: the same page as `attnscope export --html`, in a sandboxed iframe, with no CDN
    and no fetches for what it embeds. A small set is embedded whole and survives saving the
    notebook and reopening it without a kernel; a large one embeds its thumbnails and first head,
    and the kernel's data server (127.0.0.1) sends the other heads while the kernel runs.
    .html is the page itself; .embedded says which ("all" or "thumbnails")."""

    def __init__(self, attention_set, height=760, title="attention", embed="auto"):
        if embed not in ("auto", "all", "thumbnails"):
            raise ValueError(f"embed must be 'auto', 'all' or 'thumbnails', not {embed!r}")
        if embed == "auto":
            long = any(max(attention_set.shape(k, 0)[1:]) > 1024 for k in attention_set.kinds)
            embed = "all" if not long and _head_bytes(attention_set) <= EMBED_ALL_LIMIT else "thumbnails"
        self.set = attention_set
        self.height = int(height)
        self.embedded = embed
        self.remote = _serve(attention_set) if embed == "thumbnails" else ""
        self.html = attention_set.html(title, embed == "all", self.remote)

    def _repr_html_(self):
        import html as _html

        return (f'<iframe class="attnscope-viewer" srcdoc="{_html.escape(self.html, quote=True)}" '
                f'style="width:100%;height:{self.height}px;border:1px solid #ddd" '
                'sandbox="allow-scripts allow-downloads"></iframe>')

    def save(self, path):
        """Writes the page as one HTML file (every head in it only when .embedded is "all")."""
        with builtins_open(path, "w", encoding="utf-8") as f:
            f.write(self.html)


def show(data, tokens=None, height=760, title="attention", embed="auto", **from_kw):
    """The viewer inline: `show(outputs.attentions, tokens)` (any from_attentions input) or
    `show(a_set)`. Returns a Viewer, which a notebook displays; elsewhere, .save(path) writes it.
    embed: "all" puts every head in the page (it then works anywhere, saved and without a kernel);
    "thumbnails" puts the thumbnails and the first head, the kernel sends the rest on request;
    "auto" (default): "all" up to EMBED_ALL_LIMIT bytes of heads, else "thumbnails"."""
    s = data if isinstance(data, AttentionSet) else from_attentions(data, tokens, **from_kw)
    _check_finite(s)
    return Viewer(s, height=height, title=title, embed=embed)


def _id_list(ids, what):
    """Token ids from a list, tuple or 1-D integer array, as a list of ints."""
    if hasattr(ids, "tolist"):
        ids = ids.tolist()
    if isinstance(ids, (str, bytes)) or not isinstance(ids, (list, tuple)):
        raise TypeError(f"{what} must be a list of token ids, not {type(ids).__name__}")
    if any(isinstance(i, bool) or not isinstance(i, int) for i in ids):
        raise TypeError(f"{what} must hold integers only")
    if any(i < 0 or i >= 2**31 for i in ids):
        raise ValueError(f"{what} holds an id outside 0 .. 2**31 - 1")
    return list(ids)


class RunResult:
    """What Model.run returns: .text, .output, .tokens (input and output), .ids, .stopped,
    .predictions (encoders), .masked (with mask=), and .attention (an AttentionSet)."""

    def __init__(self, result, attention):
        self._r = result
        self.attention = attention
        self.input = result["input"]
        self.output = result["output"]
        self.text = result["text"]
        self.tokens = result["input_tokens"] + result["output_tokens"]
        self.input_tokens = result["input_tokens"]
        self.output_tokens = result["output_tokens"]
        self.ids = result["input_ids"] + result["output_ids"]
        self.stopped = result["stopped"]
        self.decoding = result["decoding"]
        self.predictions = result["predictions"]
        self.masked = result.get("masked")

    def __repr__(self):
        return f"<attnscope.RunResult {self.text!r} ({len(self.tokens)} tokens, {self.stopped or self.decoding})>"


class Model:
    """A model loaded by attnscope.load: .info, .tokenize(text), .run(text, ...)."""

    def __init__(self, native):
        self._m = native

    @property
    def info(self):
        return self._m.info

    def tokenize(self, text):
        """The tokens the model reads for `text`, specials included."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a string, not {type(text).__name__}")
        return self._m.tokenize(text)

    def run(self, text=None, max_new_tokens=None, forced_output=None, mask=None, beam=1, layers=None, heads=None, top_k=5,
            weights="auto", input_ids=None):
        """Runs the model and records its attention. Decoders continue `text` (max_new_tokens,
        default 64; 0 reads a long text without generating); encoder-decoders translate it (beam);
        encoders read it once (top_k predictions per [MASK]). weights: "dense", "query-key" (each
        head's queries and keys, any weight exact on demand: AttentionSet.tile) or "auto" (query-key
        from 1,024 tokens, Llama and GPT-2). forced_output teacher-forces an output; mask (input token positions) runs the
        masking experiment: runs "original" and "masked" in one set. input_ids (pretrained models)
        runs these token ids instead of tokenizing a text, specials as given. The GIL is released."""
        if input_ids is not None:
            input_ids = _id_list(input_ids, "input_ids")
            if text is not None:
                raise ValueError("give text or input_ids, not both")
            text = ""
        elif not isinstance(text, str):
            raise TypeError(f"text must be a string, not {type(text).__name__}")
        if max_new_tokens is not None and (not isinstance(max_new_tokens, int) or max_new_tokens < 0):
            raise ValueError(f"max_new_tokens must be an integer >= 0, not {max_new_tokens!r}")
        if weights not in ("auto", "dense", "query-key"):
            raise ValueError(f"weights must be 'auto', 'dense' or 'query-key', not {weights!r}")
        if not isinstance(beam, int) or beam < 1:
            raise ValueError(f"beam must be a positive integer, not {beam!r}")
        if mask is not None and any((not isinstance(p, int)) or p < 0 for p in mask):
            raise ValueError(f"mask must list input token positions (integers >= 0), not {mask!r}")
        result, attention = self._m._run(text, -1 if max_new_tokens is None else max_new_tokens, forced_output,
                                         list(mask or []), beam, list(layers or []), list(heads or []), top_k, True,
                                         weights, input_ids)
        return RunResult(result, attention)

    def logits(self, input_ids, decoder_input_ids=None):
        """The model's scores before softmax as a float32 array [positions, vocabulary]: decoders
        and encoders over input_ids; encoder-decoders over decoder_input_ids (start token first,
        as Hugging Face's decoder_input_ids) reading input_ids. Pretrained models only."""
        ids = _id_list(input_ids, "input_ids")
        dec = [] if decoder_input_ids is None else _id_list(decoder_input_ids, "decoder_input_ids")
        return self._m._logits(ids, dec)

    def __repr__(self):
        i = self.info
        return f"<attnscope.Model {i['name']}: {i['summary']}>"


def load(path, device="cpu"):
    """Any model attnscope loads: a folder made by `attnscope train`, a Hugging Face folder (BERT,
    GPT-2, Llama, Marian) or a llama2.c checkpoint. Loads libtorch on first use."""
    from . import _models

    return Model(_models.load(str(path), device))
