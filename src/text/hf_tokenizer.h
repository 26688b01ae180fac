// The tokenizer of a Hugging Face tokenizer.json (the `tokenizers` library's format, which every
// model folder saved by transformers ships: Llama, Mistral, Qwen2, SmolLM, BERT, GPT-2, ...).
//
// encode follows tokenizers 0.20: added tokens cut out of the raw text (text/hf_added_tokens),
// then per remaining segment the normalizer, the pre-tokenizer and the model (text/hf_*.cpp, one
// file per stage), then with add_special the post-processor's ids around them. decode turns ids
// into their strings, skips special added tokens and runs the decoder (pieces joined by spaces
// when there is none). Truncation and padding in the file are not applied (transformers turns
// them off too). tokenizer_config.json beside the file, when present, names bos_token/eos_token;
// for the Llama and Gemma tokenizer classes its add_bos_token (default true) and add_eos_token
// (default false) decide the post-processor, as transformers' update_post_processor does.
//
// Every component type or option attnscope does not implement makes load throw one line naming
// the file and the type; nothing is approximated silently.
#pragma once

#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "text/hf_added_tokens.h"
#include "text/hf_components.h"
#include "text/tokenizer.h"

namespace attnscope {

class HfTokenizer : public Tokenizer {
 public:
  // Reads `json_path` and tokenizer_config.json beside it; `note` is added to describe()
  // (e.g. "tokenizer.model beside it not used"). Throws std::runtime_error, one line.
  static std::unique_ptr<HfTokenizer> load(const std::string& json_path, const std::string& note = "");

  std::vector<int> encode(const std::string& text, bool add_special) const override;
  std::string decode(const std::vector<int>& ids) const override;
  std::string piece(int id) const override;
  int bos_id() const override { return bos_id_; }
  int eos_id() const override { return eos_id_; }
  int vocab_size() const override { return static_cast<int>(pieces_.size()); }
  std::string subword_style() const override { return subword_style_; }
  std::string describe() const override;

  // The ids add_special puts before and after the text.

 private:
  std::string path_, note_, kind_, subword_style_ = "none";
  std::unique_ptr<hf::Normalizer> normalizer_;
  std::unique_ptr<hf::PreTokenizer> pre_tokenizer_;
  std::unique_ptr<hf::Model> model_;
  std::unique_ptr<hf::Decoder> decoder_;
  std::unique_ptr<hf::AddedTokens> added_;
  hf::Template template_;
  std::vector<std::string> pieces_;  // by id: the model's, then the added tokens'
  std::unordered_set<int> special_ids_;
  int bos_id_ = -1, eos_id_ = -1;

  int id_of(const std::string& token) const;  // -1 when absent
  void check_id(int id) const;
  void encode_segment(std::string_view text, bool at_start, std::vector<int>& ids) const;
};

}  // namespace attnscope
