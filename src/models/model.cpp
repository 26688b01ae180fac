// Model::load: the files decide the kind. Pretrained formats (Hugging Face folders, llama2.c
// checkpoints) go to models/model_pretrained.cpp, attnscope's own folders to model_trained.cpp.
#include "models/model.h"

#include "models/model_adapters.h"
#include "models/pretrained.h"

namespace attnscope {

std::unique_ptr<Model> Model::load(const std::string& path, const std::string& device) {
  if (PretrainedModel::recognizes(path)) return load_pretrained_model(path, device);
  return load_trained_model(path, device);
}

}  // namespace attnscope
