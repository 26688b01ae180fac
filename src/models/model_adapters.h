// The two families behind the Model interface (internal to models/; torch-free): attnscope's
// trained seq2seq models and pretrained Transformers. Helpers every adapter shares live here too.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "models/model.h"

namespace attnscope {

std::unique_ptr<Model> load_trained_model(const std::string& dir, const std::string& device);
std::unique_ptr<Model> load_pretrained_model(const std::string& path, const std::string& device);

// The folder's (or file's) name, as the viewer lists it: "tests/fixtures/tiny-bert/" -> "tiny-bert".
std::string model_name_of(const std::string& path);

// Keeps the requested layers and heads of a run's blocks (for models that record everything);
// throws std::invalid_argument naming an index the model does not have.
void keep_selected(AttentionRun& run, const std::vector<int>& layers, const std::vector<int>& heads);

// Throws std::invalid_argument unless every position is one of `count` input tokens that may be
// masked (`last_is_end`: the final token is </s>, which cannot be).
void check_mask_positions(const std::vector<size_t>& positions, size_t count, bool last_is_end);

}  // namespace attnscope
