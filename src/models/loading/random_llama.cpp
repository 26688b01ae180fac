#include "models/loading/random_llama.h"

namespace attnscope {

LlamaWeights random_llama(int layers, int heads, int dim, int vocab, int max_seq_len, unsigned seed, double qk_std) {
  torch::manual_seed(seed);
  LlamaWeights w;
  LlamaConfig& c = w.config;
  c.dim = dim;
  c.hidden_dim = dim * 8 / 3;
  c.n_layers = layers;
  c.n_heads = heads;
  c.n_kv_heads = heads;
  c.vocab_size = vocab;
  c.max_seq_len = max_seq_len;
  auto randn = [](std::vector<int64_t> shape, double std) { return torch::randn(shape) * std; };
  w.token_embedding = randn({vocab, dim}, 1.0);
  for (int l = 0; l < layers; ++l) {
    LlamaLayerWeights L;
    L.attn_norm = torch::ones({dim});
    L.ffn_norm = torch::ones({dim});
    L.wq = randn({dim, dim}, qk_std);
    L.wk = randn({dim, dim}, qk_std);
    L.wv = randn({dim, dim}, 0.02);
    L.wo = randn({dim, dim}, 0.02);
    L.w1 = randn({c.hidden_dim, dim}, 0.02);
    L.w2 = randn({dim, c.hidden_dim}, 0.02);
    L.w3 = randn({c.hidden_dim, dim}, 0.02);
    w.layers.push_back(L);
  }
  w.final_norm = torch::ones({dim});
  w.classifier = w.token_embedding;
  w.validate();
  return w;
}

}  // namespace attnscope
