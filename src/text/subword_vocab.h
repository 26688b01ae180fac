// The vocabulary of a translation model: BPE pieces in the subword-nmt convention ("physi@@
// kalischen"), learnt from a corpus. Ids 0..3 are <pad>, <s>, </s>, <unk>; the rest are pieces
// in the order of the vocabulary file ("piece count" per line, most frequent first).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "text/bpe.h"
#include "text/vocab.h"

namespace attnscope {

class SubwordVocab : public Vocab {
 public:
  static constexpr int kUnk = 3;

  SubwordVocab(std::shared_ptr<const BpeCodes> codes, std::vector<std::pair<std::string, long>> pieces);
  // Counts the pieces of `lines` (already segmented: space-separated pieces) and keeps those seen
  // at least `min_count` times.
  static std::vector<std::pair<std::string, long>> count_pieces(const std::vector<std::string>& segmented, long min_count);
  static std::shared_ptr<SubwordVocab> load(std::shared_ptr<const BpeCodes> codes, const std::string& path);
  void save(const std::string& path) const;  // atomically

  int size() const override { return static_cast<int>(tokens_.size()); }
  // Segments with the BPE codes; pieces outside the vocabulary become <unk>. Throws for empty text.
  std::vector<int> encode(const std::string& text) const override;
  std::vector<int> encode_segmented(const std::string& segmented) const;  // already "a@@ b c"
  std::string decode(const std::vector<int>& ids) const override;      // pieces joined, "@@ " undone
  std::string token(int id) const override;
  const BpeCodes& codes() const { return *codes_; }

 private:
  std::shared_ptr<const BpeCodes> codes_;
  std::vector<std::string> tokens_;
  std::vector<long> counts_;
  std::unordered_map<std::string, int> index_;
};

// A translation model folder's bpe.codes, source.vocab and target.vocab.
struct SubwordVocabs {
  std::shared_ptr<SubwordVocab> source, target;
};
SubwordVocabs load_subword_vocabs(const std::string& model_dir);

}  // namespace attnscope
