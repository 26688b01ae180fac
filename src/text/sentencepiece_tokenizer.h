// A folder's tokenizer.model (a SentencePiece model, as Llama-family folders ship it beside, or
// instead of, tokenizer.json), applied by text/sentencepiece_model, as transformers' slow
// LlamaTokenizer does in its default (legacy) mode: the control and unknown pieces written in the
// text ("<s>", "</s>", "<unk>") are kept whole, each stretch between them is encoded by
// SentencePiece on its own. add_special puts BOS first when tokenizer_config.json's add_bos_token
// is true or absent, and EOS last when add_eos_token is true; bos_token/eos_token name them
// ("<s>", "</s>" by default).
//
// With tokenizer_config.json's "legacy": false, encoding follows LlamaTokenizer's newer rule
// (tokenization_llama.py, transformers 4.45) instead: "▁" in the text becomes a space, one "▁" is
// put before the text (add_prefix_space), SentencePiece runs without its dummy prefix, and a
// stretch that starts with a space is encoded behind "<unk>" whose pieces are then dropped, so
// that no dummy prefix is added after a special token.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "text/tokenizer.h"

namespace attnscope {

class SentencePieceModel;

class SentencePieceTokenizer : public Tokenizer {
 public:
  // Reads the .model file and tokenizer_config.json beside it if present; throws
  // std::runtime_error with one line naming the file and the problem.
  static SentencePieceTokenizer load(const std::string& model_path);

  std::vector<int> encode(const std::string& text, bool add_special) const override;
  std::string decode(const std::vector<int>& ids) const override;  // control pieces skipped
  std::string piece(int id) const override;
  int bos_id() const override { return bos_id_; }
  int eos_id() const override { return eos_id_; }
  int vocab_size() const override;
  std::string subword_style() const override { return "sentencepiece"; }
  std::string describe() const override;

 private:
  std::string path_;
  std::shared_ptr<const SentencePieceModel> spm_;
  std::vector<std::pair<std::string, int>> specials_;
  int bos_id_ = -1, eos_id_ = -1;
  bool add_bos_ = true, add_eos_ = false;
  bool legacy_ = true, add_prefix_space_ = true;
  std::shared_ptr<const SentencePieceModel> plain_;  // legacy false: spm_ without the dummy prefix
  std::string unk_token_ = "<unk>";
  size_t unk_pieces_ = 0;  // legacy false: how many ids "<unk>" written as text encodes to

  std::vector<int> encode_stretch(const std::string& text) const;

  void check_id(int id) const;
};

}  // namespace attnscope
