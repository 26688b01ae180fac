// BERT's tokenizer, from a folder with vocab.txt (one piece per line, id = line number) and,
// optionally, tokenizer_config.json (do_lower_case, strip_accents, tokenize_chinese_chars,
// clean_up_tokenization_spaces, never_split, and the special token strings).
//
// encode follows Hugging Face's BertTokenizer (tokenization_bert.py):
//  1. special tokens written in the text ("[MASK]") are kept whole;
//  2. BasicTokenizer: drop NUL, U+FFFD and control characters (category C* but \t \n \r); turn
//     whitespace (\t \n \r, Zs) into spaces; put spaces around CJK ideographs; split on spaces;
//     per word: lower-case and strip accents (NFD, drop Mn) when do_lower_case; then cut before
//     and after every punctuation character (ASCII 33-47, 58-64, 91-96, 123-126, or category P*);
//  3. WordPiece: greedy longest match first from the start of each word, continuations prefixed
//     "##"; a word longer than 100 characters, or one with a part no piece matches, is [UNK].
// add_special wraps the ids as [CLS] ... [SEP].
//
// Not done: the NFC normalisation newer transformers versions apply first (it changes nothing
// with do_lower_case, since accents are stripped from NFD anyway); canonical reordering of
// combining marks that are not Mn.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "text/tokenizer.h"

namespace attnscope {

// WordPiece on one word: greedy longest match first from the start, every part after the first
// looked up with `prefix` ("##"); a word longer than `max_chars` characters, or one with a part no
// piece matches, is {unk_id}. Shared with the tokenizer.json WordPiece model (text/hf_models).
std::vector<int> greedy_wordpiece(std::string_view word, const std::unordered_map<std::string, int>& ids,
                                  const std::string& prefix, size_t max_chars, int unk_id);

class WordPieceTokenizer : public Tokenizer {
 public:
  static constexpr int kMaxWordChars = 100;  // BERT's max_input_chars_per_word

  struct Options {
    bool lower_case = true;         // do_lower_case
    bool strip_accents = true;      // strip_accents; null in the config means "= lower_case"
    bool split_cjk = true;          // tokenize_chinese_chars
    bool clean_up_spaces = true;    // clean_up_tokenization_spaces, used by decode
    std::vector<std::string> never_split;  // words kept whole by the basic tokenizer
  };

  // Reads DIR/vocab.txt and DIR/tokenizer_config.json if present; throws std::runtime_error with
  // one line naming the file and the problem.
  static WordPieceTokenizer load(const std::string& dir);

  std::vector<int> encode(const std::string& text, bool add_special) const override;
  // BERT's decode: specials skipped, pieces joined by spaces, " ##" removed, then (with
  // clean_up_spaces) " ." " ?" " !" " ," " ' " " n't" " 'm" " 's" " 've" " 're" tightened.
  std::string decode(const std::vector<int>& ids) const override;
  std::string piece(int id) const override;
  int bos_id() const override { return cls_id_; }  // [CLS]: what add_special puts first
  int eos_id() const override { return sep_id_; }  // [SEP]: what add_special puts last
  int vocab_size() const override { return static_cast<int>(pieces_.size()); }
  std::string subword_style() const override { return "wordpiece"; }
  std::string describe() const override;

  int cls_id() const { return cls_id_; }
  int sep_id() const { return sep_id_; }
  int pad_id() const { return pad_id_; }
  int unk_id() const { return unk_id_; }
  int mask_id() const { return mask_id_; }  // -1 when the vocabulary has no mask token
  const Options& options() const { return options_; }

  // The two stages, for tests and for callers that show words: BasicTokenizer's words, and the
  // WordPiece ids of one word.
  std::vector<std::string> basic_tokenize(const std::string& text) const;
  std::vector<int> wordpiece(const std::string& word) const;

 private:
  std::string path_;
  Options options_;
  std::vector<std::string> pieces_;             // by id
  std::unordered_map<std::string, int> ids_;    // piece -> id (the last line wins, as in BERT)
  std::unordered_set<int> special_ids_;         // skipped by decode
  std::vector<std::pair<std::string, int>> specials_;  // recognised in the text
  int cls_id_ = -1, sep_id_ = -1, pad_id_ = -1, unk_id_ = -1, mask_id_ = -1;

  void check_id(int id) const;
};

}  // namespace attnscope
