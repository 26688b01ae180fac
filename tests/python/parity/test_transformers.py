"""Every case of cases.py against Hugging Face transformers: ids and greedy output equal,
attention within 1e-5, logits within 1e-4 (the issue's tolerances)."""
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
