// The architecture view: every block of a trained RNN, a trained Transformer and the pretrained
// fixtures (BERT, GPT-2, Llama, Marian, llama2.c) is read from the config alone and drawn; bad
// configs are one-line errors naming the file.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "../test_util.h"
#include "fixtures.h"
#include "io/model_architecture.h"
#include "render/architecture.h"
#include "render/render.h"

using namespace attnscope;
using attnscope::testing::error_of;
using attnscope::testing::ScratchDir;

namespace {

const std::string kFixtures = std::string(ATTNSCOPE_SOURCE_DIR) + "/tests/fixtures/";

// config.json as `attnscope train` writes it (Seq2SeqConfig::to_json) for an RNN.
std::string rnn_config(const std::string& attention, const std::string& scope, const std::string& cell = "gru") {
  return R"({"architecture": "rnn", "task": "reverse", "vocab": "chars", "input_alphabet": "abcdefghij",
             "output_alphabet": "abcdefghij", "max_input_length": 12, "max_output_length": 12, "layers": 2,
             "dropout": 0.0, "cell": ")" + cell + R"(", "bidirectional": true, "embedding": 16, "hidden": 32,
             "attention": ")" + attention + R"(", "scope": ")" + scope + R"(", "window": 3, "input_feeding": true})";
}

std::string transformer_config(const std::string& variant, bool tied) {
  return R"({"architecture": "transformer", "task": "copy", "vocab": "chars", "input_alphabet": "abcd",
             "output_alphabet": "abcd", "max_input_length": 12, "max_output_length": 12, "layers": 3, "dropout": 0.1,
             "variant": ")" + variant + R"(", "heads": 4, "d_model": 128, "ff": 512, "positional": "learned",
             "norm": "pre", "tie_embeddings": )" + (tied ? "true" : "false") + "}";
}

// The PNG decodes, is at least `min_side` wide and high, and is not one flat colour.
void expect_png(const std::string& path, int min_side) {
  const fixtures::PngInfo info = fixtures::png_info(path);
  EXPECT_GE(info.width, min_side) << path;
  EXPECT_GE(info.height, min_side) << path;
  EXPECT_GT(info.distinct_colours, 4u) << path;
}

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

// Every block's title and lines appear among the labels, and every label is drawn.
void expect_drawn(const ModelArchitecture& a) {
  const std::vector<std::string> texts = architecture_figure_texts(a, RenderOptions{});
  for (const std::string& label : a.labels()) EXPECT_TRUE(has(texts, label)) << "not drawn: " << label;
  for (const ArchLink& l : a.links) {
    EXPECT_NE(a.find(l.from), nullptr) << l.from;
    EXPECT_NE(a.find(l.to), nullptr) << l.to;
    EXPECT_TRUE(has(texts, l.label)) << "link not labelled: " << l.label;
  }
  for (const ArchColumn& c : a.columns) EXPECT_TRUE(has(texts, c.name));
}

// Ids of a column's blocks, bottom to top.
std::vector<std::string> ids(const ArchColumn& c) {
  std::vector<std::string> out;
  for (const ArchBlock& b : c.blocks) out.push_back(b.id);
  return out;
}

}  // namespace

TEST(Architecture, TrainedRnnNamesEveryBlock) {
  const ModelArchitecture a = architecture_from_config(rnn_config("bahdanau", "global"), "rnn/config.json");
  ASSERT_EQ(a.columns.size(), 2u);
  EXPECT_EQ(ids(a.columns[0]), (std::vector<std::string>{"encoder.embedding", "encoder.rnn"}));
  // Bahdanau attends with the previous state, before the decoder RNN; its context enters the RNN.
  EXPECT_EQ(ids(a.columns[1]), (std::vector<std::string>{"decoder.embedding", "decoder.attention", "decoder.rnn",
                                                          "decoder.combine", "decoder.output"}));
  const std::vector<std::string> labels = a.labels();
  for (const char* want : {"Source embedding", "vocab 13 characters × 16", "Bidirectional GRU encoder",
                           "2 layers, 16 units each way", "Bahdanau attention (additive)", "global: every source position",
                           "GRU decoder", "input feeding: h̃_{t-1} joins the input", "Attentional state", "Output layer",
                           "not tied to the embedding"})
    EXPECT_TRUE(has(labels, want)) << want;
  EXPECT_EQ(a.links.size(), 2u);
  expect_drawn(a);
}

TEST(Architecture, LocalAttentionStatesItsWindow) {
  const ModelArchitecture p = architecture_from_config(rnn_config("luong-general", "local-p", "lstm"), "lp/config.json");
  EXPECT_EQ(ids(p.columns[1])[1], "decoder.rnn");  // Luong attends with the new state
  const ArchBlock* att = p.find("decoder.attention");
  ASSERT_NE(att, nullptr);
  EXPECT_EQ(att->title, "Luong attention: general");
  EXPECT_TRUE(has(att->lines, "local-p: window [p_t − D, p_t + D], D = 3"));
  EXPECT_TRUE(has(att->lines, "predicted p_t = (S−1)·σ(v_pᵀ tanh(W_p h_t))"));
  EXPECT_EQ(p.find("encoder.rnn")->title, "Bidirectional LSTM encoder");
  expect_drawn(p);

  const ModelArchitecture m = architecture_from_config(rnn_config("luong-dot", "local-m"), "lm/config.json");
  EXPECT_TRUE(has(m.find("decoder.attention")->lines, "monotonic p_t = t"));
  EXPECT_EQ(m.find("decoder.attention")->title, "Luong attention: dot");
  EXPECT_EQ(architecture_from_config(rnn_config("luong-concat", "global"), "c").find("decoder.attention")->title,
            "Luong attention: concat");
  const ModelArchitecture none = architecture_from_config(rnn_config("none", "global"), "n/config.json");
  EXPECT_EQ(none.find("decoder.attention"), nullptr);
  EXPECT_EQ(none.links.size(), 1u);  // only the initial state
}

TEST(Architecture, TranslationModelCountsItsBpeVocabularies) {
  ScratchDir dir("arch_bpe");
  std::string config = rnn_config("luong-general", "global");
  config.replace(config.find("\"chars\""), 7, "\"bpe\"");
  std::ofstream(dir.path / "config.json") << config;
  std::ofstream(dir.path / "source.vocab") << "the 10\nca@@ 4\nt 3\n";
  std::ofstream(dir.path / "target.vocab") << "le 9\nchat 2\n";
  const ModelArchitecture a = read_model_architecture(dir.str());
  EXPECT_TRUE(has(a.labels(), "BPE vocab 7 × 16")) << "source: 3 pieces + <pad> <s> </s> <unk>";
  EXPECT_TRUE(has(a.labels(), "BPE vocab 6 × 16")) << "target: 2 pieces + 4 specials";
}

TEST(Architecture, TrainedTransformerNamesEveryBlock) {
  const ModelArchitecture a = architecture_from_config(transformer_config("encoder-decoder", true), "t/config.json");
  ASSERT_EQ(a.columns.size(), 2u);
  const ArchBlock* enc = a.find("encoder.layer");
  ASSERT_NE(enc, nullptr);
  EXPECT_EQ(enc->repeat, 3);
  EXPECT_EQ(enc->inner.size(), 2u);
  const ArchBlock* dec = a.find("decoder.layer");
  ASSERT_NE(dec, nullptr);
  ASSERT_EQ(dec->inner.size(), 3u);
  EXPECT_EQ(dec->inner[0].title, "Masked multi-head self-attention");
  EXPECT_EQ(dec->inner[1].title, "Multi-head cross-attention");
  EXPECT_EQ(dec->inner[2].title, "Feed-forward");
  const std::vector<std::string> labels = a.labels();
  for (const char* want : {"Learned positions", "4 heads × 32", "128 → 512 → 128, ReLU", "pre-norm: x + f(LayerNorm(x))",
                           "tied to the target embedding", "LayerNorm"})
    EXPECT_TRUE(has(labels, want)) << want;
  ASSERT_EQ(a.links.size(), 1u);
  EXPECT_EQ(a.links[0].from, "encoder.norm");  // pre-norm: the encoder's output is its final LayerNorm's
  EXPECT_EQ(a.links[0].to, "decoder.layer.cross-attention");
  expect_drawn(a);
  const std::vector<std::string> texts = architecture_figure_texts(a, RenderOptions{});
  EXPECT_TRUE(has(texts, "× 3"));

  const ModelArchitecture d = architecture_from_config(transformer_config("decoder-only", false), "d/config.json");
  ASSERT_EQ(d.columns.size(), 1u);
  EXPECT_EQ(d.find("decoder.layer.cross-attention"), nullptr);
  EXPECT_TRUE(has(d.labels(), "not tied"));
  const ModelArchitecture e = architecture_from_config(transformer_config("encoder-only", false), "e/config.json");
  ASSERT_EQ(e.columns.size(), 1u);
  EXPECT_NE(e.find("encoder.output"), nullptr);
}

TEST(Architecture, PretrainedFixturesNameEveryBlock) {
  const ModelArchitecture bert = read_model_architecture(kFixtures + "tiny-bert");
  EXPECT_EQ(bert.name, "tiny-bert");
  EXPECT_EQ(bert.format, "Hugging Face bert");
  EXPECT_EQ(bert.source, kFixtures + "tiny-bert/config.json");
  EXPECT_EQ(bert.find("encoder.layer")->repeat, 2);
  for (const char* want : {"Token embedding", "vocab 100 × 32", "Learned positions", "64 positions, + 2 token types",
                           "Multi-head self-attention", "4 heads × 8", "32 → 64 → 32, gelu", "Masked-LM head",
                           "tied to the token embedding"})
    EXPECT_TRUE(has(bert.labels(), want)) << want;
  expect_drawn(bert);

  EXPECT_EQ(read_model_architecture(kFixtures + "tiny-bert/").name, "tiny-bert");  // a trailing slash

  const ModelArchitecture gpt2 = read_model_architecture(kFixtures + "tiny-gpt2");
  for (const char* want : {"Token embedding (wte)", "vocab 300 × 32", "Learned positions (wpe)", "32 positions, added",
                           "Masked multi-head self-attention", "4 heads × 8", "32 → 128 → 32, gelu_new", "Final LayerNorm",
                           "LM head", "tied to the token embedding"})
    EXPECT_TRUE(has(gpt2.labels(), want)) << want;
  expect_drawn(gpt2);

  const ModelArchitecture llama = read_model_architecture(kFixtures + "tiny-llama/config.json");
  EXPECT_EQ(llama.name, "tiny-llama");
  const ArchBlock* att = llama.find("decoder.layer.self-attention");
  ASSERT_NE(att, nullptr);
  EXPECT_EQ(att->title, "Grouped-query self-attention");
  for (const char* want : {"Rotary positions (RoPE)", "θ = 1,000", "4 query heads × 8", "2 key/value heads (2 queries share each)",
                           "SwiGLU feed-forward", "Final RMSNorm", "not tied (own matrix)"})
    EXPECT_TRUE(has(llama.labels(), want)) << want;
  expect_drawn(llama);

  const ModelArchitecture marian = read_model_architecture(kFixtures + "tiny-marian");
  ASSERT_EQ(marian.columns.size(), 2u);
  EXPECT_EQ(marian.find("encoder.layer")->repeat, 2);
  EXPECT_EQ(marian.find("decoder.layer")->inner.size(), 3u);
  for (const char* want : {"Shared embedding", "vocab 100 × 32, scaled by √d", "Sinusoidal positions", "Multi-head cross-attention",
                           "32 → 64 → 32, swish", "tied to the shared embedding"})
    EXPECT_TRUE(has(marian.labels(), want)) << want;
  ASSERT_EQ(marian.links.size(), 1u);
  EXPECT_EQ(marian.links[0].to, "decoder.layer.cross-attention");
  expect_drawn(marian);
}

TEST(Architecture, MistralAndQwen2SayWhatDiffersFromLlama) {
  const ModelArchitecture mistral = architecture_from_config(
      R"({"model_type": "mistral", "vocab_size": 32000, "hidden_size": 4096, "intermediate_size": 14336,
          "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8, "sliding_window": 4096,
          "rope_theta": 1000000.0})",
      "mistral/config.json");
  EXPECT_EQ(mistral.format, "Hugging Face mistral");
  for (const char* want : {"32 query heads × 128", "8 key/value heads (4 queries share each)",
                           "causal, sliding window 4,096 (decoder-self)", "θ = 1,000,000", "not tied (own matrix)"})
    EXPECT_TRUE(has(mistral.labels(), want)) << want;
  const ModelArchitecture qwen = architecture_from_config(
      R"({"model_type": "qwen2", "vocab_size": 151936, "hidden_size": 896, "intermediate_size": 4864,
          "num_hidden_layers": 24, "num_attention_heads": 14, "num_key_value_heads": 2, "head_dim": 10,
          "tie_word_embeddings": true, "sliding_window": 32768})",
      "qwen/config.json");
  for (const char* want : {"14 query heads × 64", "q, k, v with bias", "tied to the token embedding", "causal: earlier tokens (decoder-self)"})
    EXPECT_TRUE(has(qwen.labels(), want)) << want;
  const ModelArchitecture mqa = architecture_from_config(
      R"({"model_type": "llama", "vocab_size": 10, "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 1,
          "num_attention_heads": 2, "num_key_value_heads": 1, "rope_scaling": {"rope_type": "llama3", "factor": 8.0}})",
      "mqa/config.json");
  EXPECT_EQ(mqa.find("decoder.layer.self-attention")->title, "Multi-query self-attention");
  EXPECT_TRUE(has(mqa.labels(), "scaling: llama3"));
  expect_drawn(mqa);
}

TEST(Architecture, Llama2cHeaderGivesGroupedQueryAndTying) {
  const int tied[7] = {64, 172, 5, 8, 4, 512, 512};
  const ModelArchitecture a = architecture_from_llama2c(tied, "stories260K.bin");
  EXPECT_EQ(a.format, "llama2.c");
  EXPECT_EQ(a.find("decoder.layer")->repeat, 5);
  for (const char* want : {"vocab 512 × 64", "8 query heads × 8", "4 key/value heads (2 queries share each)", "64 → 172 → 64, SiLU gate",
                           "tied to the token embedding", "θ = 10,000"})
    EXPECT_TRUE(has(a.labels(), want)) << want;
  const int untied[7] = {64, 172, 5, 8, 8, -512, 512};
  const ModelArchitecture u = architecture_from_llama2c(untied, "u.bin");
  EXPECT_TRUE(has(u.labels(), "not tied (own matrix)"));
  EXPECT_EQ(u.find("decoder.layer.self-attention")->title, "Masked multi-head self-attention");
  const int bad[7] = {64, 172, 5, 8, 3, 512, 512};
  EXPECT_EQ(error_of([&] { architecture_from_llama2c(bad, "b.bin"); }),
            "b.bin: llama2.c header: n_heads 8 must divide dim 64 and n_kv_heads 3 must divide n_heads");

  const std::string stories = std::string(ATTNSCOPE_SOURCE_DIR) + "/../shared/models/stories260K";
  if (!std::filesystem::exists(stories)) GTEST_SKIP() << "skipped: ../shared not found";
  const ModelArchitecture s = read_model_architecture(stories);
  EXPECT_EQ(s.name, "stories260K");
  EXPECT_EQ(s.find("decoder.layer")->repeat, 5);
  EXPECT_TRUE(has(s.labels(), "vocab 512 × 64"));
  EXPECT_EQ(read_model_architecture(stories + "/stories260K.bin").labels(), s.labels());
}

TEST(Architecture, BadConfigsAreOneLineErrorsNamingTheFile) {
  EXPECT_EQ(error_of([] { architecture_from_config(R"({"model_type": "t5", "d_model": 4})", "x/config.json"); }),
            "x/config.json: model_type \"t5\" has no architecture diagram (known: bert, gpt2, llama, mistral, qwen2, marian)");
  EXPECT_EQ(error_of([] { architecture_from_config(R"({"model_type": "bert", "vocab_size": 10})", "b/config.json"); }),
            "b/config.json: missing \"hidden_size\" (model_type bert needs it)");
  EXPECT_EQ(error_of([] { architecture_from_config(R"({"hidden": 3})", "c.json"); }),
            "c.json: neither \"model_type\" (a Hugging Face config) nor \"architecture\" (attnscope train) says what model this is");
  EXPECT_EQ(error_of([] { architecture_from_config("{", "d.json"); }).rfind("d.json: not JSON", 0), 0u);
  EXPECT_EQ(error_of([] { architecture_from_config(rnn_config("luong-general", "local-q"), "e.json"); }),
            "e.json: scope must be global, local-m or local-p, got 'local-q'");
  EXPECT_EQ(error_of([] { read_model_architecture("/nonexistent/model"); }), "/nonexistent/model: no such model folder or file");
  ScratchDir dir("arch_errors");
  EXPECT_EQ(error_of([&] { read_model_architecture(dir.str()); }),
            dir.str() + ": no config.json and no llama2.c checkpoint (*.bin besides tok*.bin): not a model folder");
  std::ofstream(dir.path / "short.bin") << "abc";
  EXPECT_EQ(error_of([&] { read_model_architecture((dir.path / "short.bin").string()); }).rfind(
                (dir.path / "short.bin").string() + ": shorter than a llama2.c header", 0),
            0u);
}

TEST(Architecture, WritesEveryFormat) {
  ScratchDir dir("arch_formats");
  const ModelArchitecture a = read_model_architecture(kFixtures + "tiny-marian");
  for (const char* ext : {"png", "svg", "pdf"}) {
    const std::string out = dir.str() + "/marian." + ext;
    render_architecture(a, RenderOptions{}, out);
    EXPECT_GT(std::filesystem::file_size(out), 1000u) << out;
  }
  RenderOptions dark;
  dark.theme = "dark";
  render_architecture(a, dark, dir.str() + "/dark.png");
  expect_png(dir.str() + "/dark.png", 400);
  EXPECT_EQ(error_of([&] { render_architecture(a, RenderOptions{}, dir.str() + "/a.gif"); }).find("gif") != std::string::npos, true);
  EXPECT_FALSE(std::filesystem::exists(dir.str() + "/a.gif"));
}
