// The Hugging Face Llama reader against the llama2.c reader on the same weights: stories260K is
// written out as a HF folder (q/k rows permuted to HF's rotate-half layout, as llama2.c's
// export.py does, embedding tied) and both load paths must give the same logits and attention.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "hf_fixtures.h"
#include "models/loading/hf_folder.h"
#include "models/recording/attention_recorder.h"
#include "models/loading/hf_llama_reader.h"
#include "models/loading/llama2c_reader.h"

using namespace attnscope;
using namespace attnscope::testing;

namespace {

const std::string kCheckpoint = kSourceDir + "/../shared/models/stories260K/stories260K.bin";

void add(SafetensorsWriter& w, const std::string& name, const torch::Tensor& t) {
  const torch::Tensor c = t.contiguous().to(torch::kFloat);
  w.add(name, DType::F32, std::vector<size_t>(c.sizes().begin(), c.sizes().end()), c.data_ptr<float>(),
        static_cast<size_t>(c.numel()) * 4);
}

// Writes `w` as a LlamaForCausalLM folder.
void write_hf_folder(const LlamaWeights& w, const std::string& dir) {
  const LlamaConfig& c = w.config;
  nlohmann::json config = {{"model_type", "llama"},         {"architectures", {"LlamaForCausalLM"}},
                           {"hidden_size", c.dim},          {"intermediate_size", c.hidden_dim},
                           {"num_hidden_layers", c.n_layers}, {"num_attention_heads", c.n_heads},
                           {"num_key_value_heads", c.n_kv_heads}, {"vocab_size", c.vocab_size},
                           {"max_position_embeddings", c.max_seq_len}, {"rms_norm_eps", c.norm_eps},
                           {"rope_theta", c.rope_theta},    {"tie_word_embeddings", true},
                           {"hidden_act", "silu"}};
  std::ofstream(dir + "/config.json") << config.dump(2);
  SafetensorsWriter sw;
  add(sw, "model.embed_tokens.weight", w.token_embedding);
  for (int l = 0; l < c.n_layers; ++l) {
    const LlamaLayerWeights& L = w.layers[static_cast<size_t>(l)];
    const std::string at = "model.layers." + std::to_string(l) + ".";
    add(sw, at + "input_layernorm.weight", L.attn_norm);
    add(sw, at + "self_attn.q_proj.weight", interleaved_to_rotate_half(L.wq, c.n_heads));
    add(sw, at + "self_attn.k_proj.weight", interleaved_to_rotate_half(L.wk, c.n_kv_heads));
    add(sw, at + "self_attn.v_proj.weight", L.wv);
    add(sw, at + "self_attn.o_proj.weight", L.wo);
    add(sw, at + "post_attention_layernorm.weight", L.ffn_norm);
    add(sw, at + "mlp.gate_proj.weight", L.w1);
    add(sw, at + "mlp.down_proj.weight", L.w2);
    add(sw, at + "mlp.up_proj.weight", L.w3);
  }
  add(sw, "model.norm.weight", w.final_norm);
  sw.save(dir + "/model.safetensors");
}


}  // namespace

TEST(HfLlama, PermutationRoundTrips) {
  const torch::Tensor rows = torch::arange(4 * 8 * 3, torch::kFloat).reshape({4 * 8, 3});
  EXPECT_TRUE(torch::equal(rotate_half_to_interleaved(interleaved_to_rotate_half(rows, 4), 4), rows));
  // Head 0 of rotate-half rows [a0..a3, b0..b3] -> interleaved [a0 b0 a1 b1 ...].
  const torch::Tensor one = torch::arange(8, torch::kFloat).reshape({8, 1});
  const torch::Tensor got = rotate_half_to_interleaved(one, 1).flatten();
  EXPECT_TRUE(torch::equal(got, torch::tensor({0.f, 4.f, 1.f, 5.f, 2.f, 6.f, 3.f, 7.f})));
}

TEST(HfLlama, SameLogitsAndAttentionAsTheLlama2cPath) {
  if (!std::filesystem::exists(kCheckpoint)) GTEST_SKIP() << "skipped: ../shared not found";
  const LlamaWeights original = read_llama2c_checkpoint(kCheckpoint);
  ScratchDir scratch("hf_llama_from_llama2c");
  write_hf_folder(original, scratch.str());
  const LlamaWeights converted = read_hf_llama(HfFolder::open(scratch.str()));
  EXPECT_TRUE(converted.classifier.is_same(converted.token_embedding)) << "tie_word_embeddings shares the matrix";

  torch::NoGradGuard no_grad;
  const torch::Tensor ids = torch::tensor({1, 403, 407, 261, 378, 284, 1, 9, 77, 300}, torch::kLong);
  AttentionRecorder a, b;
  const torch::Tensor la = llama_forward(original, ids, &a), lb = llama_forward(converted, ids, &b);
  const double logit_diff = (la - lb).abs().max().item<double>();
  const auto ba = a.blocks(), bb = b.blocks();
  ASSERT_EQ(ba.size(), 5u);
  ASSERT_EQ(bb.size(), ba.size());
  double att_diff = 0;
  for (size_t l = 0; l < ba.size(); ++l)
    for (size_t i = 0; i < ba[l].weights.size(); ++i) att_diff = std::max(att_diff, double(std::abs(ba[l].weights[i] - bb[l].weights[i])));
  std::printf("llama2.c vs HF folder: max |logit diff| %.3g, max |attention diff| %.3g\n", logit_diff, att_diff);
  EXPECT_LT(logit_diff, 1e-4);
  EXPECT_LT(att_diff, 1e-5);
}
