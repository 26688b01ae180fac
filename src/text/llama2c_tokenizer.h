// llama2.c's tokenizer file (tok*.bin, written by llama2.c's tokenizer.py from a SentencePiece
// model): int32 max_token_length, then per piece: float32 score, int32 byte length, the bytes.
// Pieces keep SentencePiece's word marker as a plain leading space (" Once"); ids 0, 1, 2 are
// <unk>, <s>, </s>; ids 3..258 are the raw bytes <0x00>..<0xFF>.
// Encoding and decoding follow llama2.c's run.c exactly (see encode/decode below).
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "text/tokenizer.h"

namespace attnscope {

class Llama2cTokenizer : public Tokenizer {
 public:
  static constexpr int kUnk = 0, kBos = 1, kEos = 2;
  static constexpr int kFirstByte = 3;  // id of <0x00>; byte b has id b + 3

  // Reads and validates the file; throws std::runtime_error naming the path and the problem.
  static Llama2cTokenizer load(const std::string& path);
  // True when `path` is a regular file whose first bytes parse as a llama2.c tokenizer header.
  static bool looks_like(const std::string& path);

  // run.c's encode: optional BOS; a dummy-prefix " " piece when the text is not empty; each
  // UTF-8 code point looked up whole, else its bytes as byte tokens; then repeatedly merge the
  // adjacent pair whose concatenation is the best-scoring piece (leftmost on ties).
  std::vector<int> encode(const std::string& text, bool add_special) const override;
  // run.c's decode: raw byte tokens become their byte; the leading space of the first piece
  // (after BOS or at the start) is dropped, as SentencePiece does; specials are skipped.
  std::string decode(const std::vector<int>& ids) const override;
  std::string piece(int id) const override;  // raw piece; specials as "<unk>", "<s>", "</s>"
  int bos_id() const override { return kBos; }
  int eos_id() const override { return kEos; }
  int vocab_size() const override { return static_cast<int>(pieces_.size()); }
  std::string subword_style() const override { return "none"; }
  std::string describe() const override;

  float score(int id) const { return scores_.at(static_cast<size_t>(id)); }

 private:
  std::string path_;
  std::vector<std::string> pieces_;  // raw bytes of each piece, by id
  std::vector<float> scores_;        // merge priority: higher merges first
  std::unordered_map<std::string, int> ids_;  // piece -> its first id
  int space_id_ = -1;                // the " " piece, prepended to non-empty text; -1 if absent

  void check_id(int id) const;
};

}  // namespace attnscope
