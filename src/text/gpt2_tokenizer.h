// GPT-2's byte-level BPE, from a folder with vocab.json ({piece: id}) and merges.txt (a
// "#version" line, then one merge "a b" per line, highest priority first).
//
// encode follows OpenAI's encoder.py (and Hugging Face's GPT2Tokenizer):
//  1. "<|endoftext|>" written in the text is kept whole (id 50256), as Hugging Face does;
//  2. pre-tokenisation with GPT-2's pattern
//       's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//     matched by hand over code points (see pretokenize), \s being Unicode White_Space;
//  3. each pre-token's UTF-8 bytes become printable symbols (bytes_to_unicode: printable Latin-1
//     bytes stand for themselves, the other 68 bytes map to U+0100..U+0143, e.g. space -> "Ġ");
//  4. BPE: repeatedly merge every occurrence of the adjacent pair with the lowest merge rank;
//     the result of each pre-token is cached.
// add_special adds nothing: GPT-2 prompts start without <|endoftext|> in Hugging Face
// (add_bos_token is false); prepend eos_id() yourself to start from a document boundary.
// decode(encode(x)) == x for every byte string x (invalid UTF-8 bytes are carried as bytes).
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "text/tokenizer.h"

namespace attnscope {

// OpenAI's bytes_to_unicode(): the symbol standing for each byte in byte-level BPE pieces, as
// UTF-8 ("Ġ" for the space); shared with tokenizer.json's ByteLevel components (text/hf_*).
const std::array<std::string, 256>& byte_level_symbols();
// The byte a byte-level symbol stands for, or -1 when `cp` is no such symbol.
int byte_level_byte(char32_t cp);

class Gpt2Tokenizer : public Tokenizer {
 public:
  // Reads DIR/vocab.json and DIR/merges.txt; throws std::runtime_error with one line naming the
  // file (and line) and the problem.
  static Gpt2Tokenizer load(const std::string& dir);

  // GPT-2's pre-tokens of `text`, as views into it; they concatenate back to `text`.
  static std::vector<std::string_view> pretokenize(std::string_view text);

  std::vector<int> encode(const std::string& text, bool add_special) const override;
  // The bytes the symbols stand for, concatenated; <|endoftext|> is skipped. Kept as raw bytes
  // (no U+FFFD replacement), so pieces of one character decoded one by one still join up.
  std::string decode(const std::vector<int>& ids) const override;
  std::string piece(int id) const override;  // as in vocab.json: "Ġthe", "âĢ"
  int bos_id() const override { return eot_id_; }
  int eos_id() const override { return eot_id_; }
  int vocab_size() const override { return static_cast<int>(pieces_.size()); }
  std::string subword_style() const override { return "gpt2"; }
  std::string describe() const override;

 private:
  struct WordCache;  // pre-token -> ids, shared by const encode() calls under a mutex

  std::string path_;
  std::vector<std::string> pieces_;                 // by id
  std::unordered_map<std::string, int> ids_;        // piece -> id
  std::unordered_map<std::string, int> ranks_;      // "a b" -> merge rank (0 merges first)
  std::array<std::string, 256> byte_symbol_;        // byte -> its symbol, UTF-8
  std::array<int, 324> symbol_byte_;                // symbol code point -> byte, -1 if none
  int eot_id_ = -1;                                 // <|endoftext|>
  std::shared_ptr<WordCache> cache_;

  std::vector<int> bpe(std::string_view pretoken) const;
  void check_id(int id) const;
};

}  // namespace attnscope
