// MarianMT's tokenizer, from a folder with source.spm, target.spm (SentencePiece models, read and
// applied by text/sentencepiece_model: libsentencepiece's protobuf clashes with libtorch's) and vocab.json ({piece: id}, one vocabulary for both sides).
//
// As Hugging Face's MarianTokenizer: SentencePiece cuts the text into pieces, but the ids are the
// pieces' ids in vocab.json, not the .spm's own ids; a piece missing from vocab.json is <unk>.
// add_special appends </s> (Marian has no BOS; the decoder starts from <pad>, pad_id()).
// A leading language code such as ">>fra<<" (multilingual models) is one token, looked up whole.
// Special tokens written in the text ("</s>") are kept whole.
//
// The source side encodes with source.spm; the target side (MarianSide::kTarget, or target())
// with target.spm, for the decoder's output. decode joins the pieces with that side's .spm,
// which turns "▁" into spaces and drops the first, then trims the ends, as Hugging Face does.
// Not done: the Moses punctuation normaliser Hugging Face applies only when sacremoses is
// installed and only in the deprecated prepare_seq2seq_batch.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "text/tokenizer.h"

namespace attnscope {

class SentencePieceModel;

enum class MarianSide { kSource, kTarget };

class MarianTokenizer : public Tokenizer {
 public:
  // Reads DIR/vocab.json and DIR/source.spm or DIR/target.spm; throws std::runtime_error with one
  // line naming the file and the problem.
  static MarianTokenizer load(const std::string& dir, MarianSide side = MarianSide::kSource);
  MarianTokenizer target() const { return load(dir_, MarianSide::kTarget); }

  std::vector<int> encode(const std::string& text, bool add_special) const override;
  std::string decode(const std::vector<int>& ids) const override;  // </s>, <unk>, <pad> skipped
  std::string piece(int id) const override;                        // as in vocab.json: "▁the"
  int bos_id() const override { return -1; }
  int eos_id() const override { return eos_id_; }
  int vocab_size() const override { return static_cast<int>(pieces_.size()); }
  std::string subword_style() const override { return "sentencepiece"; }
  std::string describe() const override;

  int pad_id() const { return pad_id_; }  // also the decoder's start token
  int unk_id() const { return unk_id_; }
  MarianSide side() const { return side_; }

  // SentencePiece's pieces of `text` (no ids, no specials), for tests and display.
  std::vector<std::string> pieces_of(std::string_view text) const;

 private:
  std::string dir_, spm_path_;
  MarianSide side_ = MarianSide::kSource;
  std::shared_ptr<const SentencePieceModel> spm_;
  std::vector<std::string> pieces_;             // by id, from vocab.json
  std::unordered_map<std::string, int> ids_;    // piece -> id
  std::vector<std::pair<std::string, int>> specials_;
  std::unordered_set<int> special_ids_;
  int eos_id_ = -1, unk_id_ = -1, pad_id_ = -1;

  int id_of(const std::string& piece) const;  // unk_id_ when absent
  void check_id(int id) const;
};

}  // namespace attnscope
