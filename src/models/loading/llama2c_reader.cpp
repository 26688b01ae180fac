#include "models/loading/llama2c_reader.h"

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace attnscope {

namespace {

constexpr int64_t kHeaderInts = 7;
constexpr int64_t kHeaderBytes = kHeaderInts * 4;

// A garbage header can promise more floats than int64 holds; count in 128 bits.
using Count = __int128;

std::string count_string(Count n) {
  std::string s;
  do {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(n % 10)));
    n /= 10;
  } while (n > 0);
  return s;
}

// Float count of everything after the header, for a config (shared classifier or not).
Count expected_floats(const LlamaConfig& c, bool shared_classifier) {
  const Count D = c.dim, F = c.hidden_dim, L = c.n_layers, V = c.vocab_size, Dh = c.head_dim();
  const int64_t HDh = c.n_heads * Dh, GDh = c.n_kv_heads * Dh;
  Count n = V * D;                                 // token embedding
  n += L * D;                                      // attention norms
  n += L * D * HDh + 2 * L * D * GDh + L * HDh * D;  // wq, wk, wv, wo
  n += L * D;                                      // feed-forward norms
  n += 3 * L * D * F;                              // w1, w2, w3
  n += D;                                          // final norm
  n += 2 * c.max_seq_len * Dh / 2;                 // legacy RoPE tables (cos, sin)
  if (!shared_classifier) n += V * D;
  return n;
}

// Hands out consecutive views of the float payload, in file order.
class Cursor {
 public:
  explicit Cursor(torch::Tensor floats) : floats_(std::move(floats)) {}
  // The next prod(shape) floats as a tensor of `shape` (a view of the file's buffer).
  torch::Tensor take(std::vector<int64_t> shape) {
    int64_t n = 1;
    for (int64_t s : shape) n *= s;
    torch::Tensor t = floats_.narrow(0, offset_, n).view(shape);
    offset_ += n;
    return t;
  }
  void skip(int64_t n) { offset_ += n; }

 private:
  torch::Tensor floats_;
  int64_t offset_ = 0;
};

}  // namespace

LlamaWeights read_llama2c_checkpoint(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw std::runtime_error(path + ": cannot open the llama2.c checkpoint");
  const int64_t file_bytes = static_cast<int64_t>(in.tellg());
  if (file_bytes < kHeaderBytes)
    throw std::runtime_error(path + ": " + std::to_string(file_bytes) + " bytes is too short for a llama2.c header (" +
                             std::to_string(kHeaderBytes) + " bytes)");
  in.seekg(0);
  int32_t h[kHeaderInts];
  in.read(reinterpret_cast<char*>(h), kHeaderBytes);

  LlamaConfig c;
  c.dim = h[0];
  c.hidden_dim = h[1];
  c.n_layers = h[2];
  c.n_heads = h[3];
  c.n_kv_heads = h[4];
  const bool shared = h[5] > 0;  // llama2.c's convention: negative vocab = separate classifier
  c.vocab_size = h[5] == INT32_MIN ? 0 : std::abs(h[5]);
  c.max_seq_len = h[6];
  try {
    c.validate();
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(path + ": not a valid llama2.c checkpoint header: " + e.what());
  }
  const Count expected_bytes = kHeaderBytes + 4 * expected_floats(c, shared);
  if (file_bytes != expected_bytes)
    throw std::runtime_error(path + ": " + std::to_string(file_bytes) + " bytes, but its header (" + c.describe() +
                             (shared ? ", shared" : ", separate") + " classifier) needs exactly " +
                             count_string(expected_bytes));
  const int64_t floats = (file_bytes - kHeaderBytes) / 4;

  torch::Tensor payload = torch::empty({floats}, torch::kFloat);
  if (!in.read(reinterpret_cast<char*>(payload.data_ptr<float>()), 4 * floats))
    throw std::runtime_error(path + ": read failed after the header");

  const int64_t D = c.dim, F = c.hidden_dim, L = c.n_layers, V = c.vocab_size, Dh = c.head_dim();
  const int64_t HDh = c.n_heads * Dh, GDh = c.n_kv_heads * Dh;
  Cursor cur(payload);
  LlamaWeights w;
  w.config = c;
  w.token_embedding = cur.take({V, D});
  // Each array is stacked over layers in the file; unbind hands out one view per layer.
  auto per_layer = [&](std::vector<int64_t> shape) {
    shape.insert(shape.begin(), L);
    return cur.take(shape).unbind(0);
  };
  const auto attn_norm = per_layer({D}), wq = per_layer({HDh, D}), wk = per_layer({GDh, D}), wv = per_layer({GDh, D}),
             wo = per_layer({D, HDh}), ffn_norm = per_layer({D}), w1 = per_layer({F, D}), w2 = per_layer({D, F}),
             w3 = per_layer({F, D});
  for (int64_t l = 0; l < L; ++l)
    w.layers.push_back({attn_norm[l], wq[l], wk[l], wv[l], wo[l], ffn_norm[l], w1[l], w2[l], w3[l]});
  w.final_norm = cur.take({D});
  cur.skip(2 * c.max_seq_len * Dh / 2);  // legacy RoPE tables: run.c computes RoPE instead
  w.classifier = shared ? w.token_embedding : cur.take({V, D});
  w.validate();
  return w;
}

}  // namespace attnscope
