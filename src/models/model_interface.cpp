// The torch-free half of the Model interface: names of its enums and the default logits. It is
// compiled into attnscope_core (not the model library), so the viewer, the attnscope binary and
// Python's _core module can name a model's kind without loading libtorch; Model's vtable lives here.
#include <stdexcept>

#include "models/model.h"

namespace attnscope {

std::string format_name(ModelFormat f) {
  switch (f) {
    case ModelFormat::Attnscope: return "attnscope";
    case ModelFormat::HuggingFace: return "huggingface";
    case ModelFormat::Llama2c: return "llama2.c";
  }
  return "?";
}

std::string role_name(ModelRole r) {
  switch (r) {
    case ModelRole::Encoder: return "encoder";
    case ModelRole::Decoder: return "decoder";
    case ModelRole::EncoderDecoder: return "encoder-decoder";
  }
  return "?";
}

std::string architecture_name(Architecture a) {
  switch (a) {
    case Architecture::Rnn: return "rnn";
    case Architecture::Transformer: return "transformer";
    case Architecture::Bert: return "bert";
    case Architecture::Gpt2: return "gpt2";
    case Architecture::Llama: return "llama";
    case Architecture::Marian: return "marian";
  }
  return "?";
}

Model::Logits Model::logits(const std::vector<int>&, const std::vector<int>&) const {
  throw std::invalid_argument(info().name + ": logits are given for pretrained models (Hugging Face folders, llama2.c)");
}

}  // namespace attnscope
