// Model::load: the files decide the kind. Pretrained formats (Hugging Face folders, llama2.c
// checkpoints) go to models/model_pretrained.cpp, attnscope's own folders to model_trained.cpp.
#include "models/model.h"

#include "models/model_adapters.h"
#include "models/pretrained.h"

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

std::unique_ptr<Model> Model::load(const std::string& path, const std::string& device) {
  if (PretrainedModel::recognizes(path)) return load_pretrained_model(path, device);
  return load_trained_model(path, device);
}

}  // namespace attnscope
