"""Every case of cases.py against Hugging Face transformers: ids and greedy output equal,
attention within 1e-5, logits within 1e-4 (the issue's tolerances)."""
import os

import pytest

import cases

CASES = cases.all_cases()


@pytest.mark.parametrize("name,run", CASES, ids=[n for n, _ in CASES])
def test_same_numbers_as_transformers(name, run):
    row = run()
    assert row["ids_equal"], f"{name}: token ids differ from the Hugging Face tokenizer"
    assert row["greedy_equal"], f"{name}: greedy output differs from generate()"
    assert row["attention"] <= cases.ATTENTION_TOL, f"{name}: attention off by {row['attention']:.2e}"
    assert row["logits"] <= cases.LOGITS_TOL, f"{name}: logits off by {row['logits']:.2e}"


def test_the_cases_are_decisive():
    """A wrong mask or position would show: the seeded heads are far from uniform."""
    import attnscope, tempfile, numpy as np
    folder = tempfile.mkdtemp(prefix="parity-")
    cases.build_llama("mistral sliding window 6", folder)
    w = attnscope.load(folder).run(cases.PROMPT, max_new_tokens=0).attention.weights("decoder-self", 1)
    T = w.shape[-1]
    assert np.all(np.triu(w, 1) == 0)
    # the window: a query sees only its own and the five keys before it
    assert np.all(w[:, 10, :5] == 0) and np.all(w[:, 10, 5:11] > 0)
    uniform = 1.0 / np.arange(1, T + 1).clip(max=6)
    assert np.max(np.abs(w.max(-1) - uniform)) > 0.2


def test_bad_folders_get_one_line_errors(tmp_path):
    import json, os, shutil, attnscope
    folder = tmp_path / "m"
    cases.build_llama("llama sharded checkpoint", str(folder))
    # a shard the index names is missing
    shard = sorted(p for p in os.listdir(folder) if p.startswith("model-0000"))[0]
    os.rename(folder / shard, tmp_path / shard)
    with pytest.raises(RuntimeError, match=f"names shard {shard}.*missing"):
        attnscope.load(str(folder))
    os.rename(tmp_path / shard, folder / shard)
    # an unknown model_type is named
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "model_type": "falcon"}))
    with pytest.raises(RuntimeError, match='model_type "falcon".*not an architecture'):
        attnscope.load(str(folder))
    # a config that disagrees with the weights
    (folder / "config.json").write_text(json.dumps({**config, "hidden_size": 48}))
    with pytest.raises(RuntimeError, match="has shape .* config.json implies"):
        attnscope.load(str(folder))
    # an unsupported rope_scaling type
    (folder / "config.json").write_text(json.dumps({**config, "rope_scaling": {"rope_type": "yarn", "factor": 4.0}}))
    with pytest.raises(RuntimeError, match='rope_scaling type "yarn" is not supported'):
        attnscope.load(str(folder))


def test_run_and_serve_take_every_saved_layout(tmp_path):
    """`attnscope run` and `serve` on folders as save_pretrained writes them: tokenizer.json alone,
    tokenizer.model alone, both; mistral and qwen2."""
    import json, re, subprocess, time, urllib.request
    binary = os.path.join(os.environ.get("ATTNSCOPE_BUILD_DIR", ""), "attnscope")
    if not os.path.exists(binary):
        pytest.skip("skipped: ATTNSCOPE_BUILD_DIR/attnscope not found")
    folders = {}
    for name in ["llama MHA", "llama GQA (4 q / 2 kv heads)", "llama rope_theta 500000", "mistral sliding window 6",
                 "qwen2 (q/k/v biases, GQA)"]:
        folder = tmp_path / re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        cases.build_llama(name, str(folder))
        folders[folder.name] = folder
        out = subprocess.run([binary, "run", "--model", str(folder), "--max-new-tokens", "3", "--json", cases.PROMPT],
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        d = json.loads(out.stdout)
        assert d["input_tokens"][0] == "<s>" and len(d["output_ids"]) <= 3, d
    # BERT, GPT-2 and Marian folders as saved, with the shared tokenizers (when ../shared is there).
    inputs = {}
    builders = {"bert": cases.build_bert, "gpt2": cases.build_gpt2, "marian": cases.build_marian}
    for name, _ in cases.all_cases():
        if name in builders:
            folder, _tok = builders[name]()
            text = cases.MASKED if name == "bert" else cases.SOURCE_TEXT if name == "marian" else cases.PROMPT
            out = subprocess.run([binary, "run", "--model", folder, "--max-new-tokens", "3", "--json", text],
                                 capture_output=True, text=True, timeout=120)
            assert out.returncode == 0, out.stderr
            assert json.loads(out.stdout)["input_tokens"], out.stdout
            folders[os.path.basename(folder)] = folder
            inputs[os.path.basename(folder)] = text
    server = subprocess.Popen([binary, "serve", "--port", "0"] + sum([["--model", str(f)] for f in folders.values()], []),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = None
        for _ in range(200):
            line = server.stdout.readline()
            m = re.search(r"(http://\S+)", line or "")
            if m:
                url = m.group(1).rstrip("/")
                break
            time.sleep(0.05)
        assert url, server.stderr.read()
        for name in folders:
            req = urllib.request.Request(url + "/api/run", data=json.dumps(
                {"model": name, "input": inputs.get(name, cases.PROMPT), "max_new_tokens": 2}).encode(),
                headers={"Content-Type": "application/json"})
            d = json.loads(urllib.request.urlopen(req, timeout=60).read())
            if name in inputs:  # bert, gpt2, marian
                assert d["kinds"] and d["runs"], (name, d)
            else:
                assert d["kinds"] == ["decoder-self"] and d["runs"][0]["target_tokens"][0] == "<s>", (name, d)
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_llama_hook_in_docs_python_md(tmp_path):
    """docs/python.md's hook (post-RoPE queries and keys from a HF Llama, imported by attnscope)
    runs as written, and the weights attnscope computes from them equal output_attentions."""
    import re, subprocess, numpy as np, torch, attnscope
    binary = os.path.join(os.environ.get("ATTNSCOPE_BUILD_DIR", ""), "attnscope")
    if not os.path.exists(binary):
        pytest.skip("skipped: ATTNSCOPE_BUILD_DIR/attnscope not found")
    doc = open(os.path.join(cases.SOURCE, "docs", "python.md"), encoding="utf-8").read()
    section = doc[doc.index("## Queries and keys of a long input"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    folder = tmp_path / "llama"
    cases.build_llama("llama GQA (4 q / 2 kv heads)", str(folder))
    book = " ".join(cases.TRAIN_TEXT * 2)
    (tmp_path / "book.txt").write_text(book, encoding="utf-8")
    import transformers.models.llama.modeling_llama as llama
    original = llama.apply_rotary_pos_emb
    cwd = os.getcwd()
    try:
        os.chdir(tmp_path)
        exec(code, {"PATH": str(folder)})
    finally:
        llama.apply_rotary_pos_emb = original
        os.chdir(cwd)
    out = subprocess.run([binary, "import", str(tmp_path / "book_qk.npz"), "-o", str(tmp_path / "book.attn.safetensors")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    s = attnscope.open(str(tmp_path / "book.attn.safetensors"))
    from transformers import AutoModelForCausalLM, AutoTokenizer
    ref, tok = cases.hf_model(AutoModelForCausalLM, str(folder)), AutoTokenizer.from_pretrained(str(folder))
    ids = tok(book, return_tensors="pt").input_ids
    with torch.no_grad():
        att = ref(ids, output_attentions=True).attentions
    T = ids.shape[1]
    worst = 0.0
    for l, a in enumerate(att):
        for h in range(a.shape[1]):
            got = s.tile("decoder-self", l, h, 0, T, 0, T)
            worst = max(worst, float(np.max(np.abs(got - a[0, h].numpy()))))
    print(f"docs/python.md hook: {T} tokens, max abs diff {worst:.2g}")
    assert T > 200 and worst <= cases.ATTENTION_TOL, (T, worst)

