// Byte pair encoding as subword-nmt does it (Sennrich et al. 2016): learn merges from a corpus,
// save and load them as a codes file, segment words, and join the pieces back.
//
// Codes file (subword-nmt 0.2): the line "#version: 0.2", then one merge "a b" per line, the
// most frequent first. "</w>" ends a word: the last character of each word carries it, so a merge
// "e r</w>" only applies at the end of a word. A file without the "#version" line is read as
// version 0.1 ("</w>" is a symbol of its own), as subword-nmt does.
//
// Segmented text: every piece but the last of a word ends in "@@", pieces are separated by
// spaces: "physikalischen" -> "physi@@ kalischen". undo_bpe() joins them again; for attention
// over pieces, analysis/subwords.h (SubwordStyle::BpeSuffix) groups "@@" pieces into words.
//
// learn_bpe follows learn_bpe.py step for step, so the codes come out identical: words are split
// on the space character only (tabs and other whitespace stay inside words) and counted; pairs
// are counted per word type; each step merges the most frequent pair, ties going to the pair that
// is larger as a (string, string) tuple (code point order); pair statistics are updated only
// around the merged occurrences, through an index from each pair to the words containing it; and
// the pruned working set with its full-statistics fallback (prune_stats, including how it
// bookkeeps pruned pairs) is reproduced because it can change which pair wins late on.
// Deviations, all outside what real corpora contain: (1) learn_bpe.py merges with a regex on the
// space-joined word, whose \S look-arounds also treat U+00A0 and other non-space whitespace inside
// a symbol as a boundary; we merge exact symbols. (2) Where a self-overlapping merge ("a a" in
// "a a a") leaves a negative count in learn_bpe.py's pair index, we do not track it. (3) A corpus
// with no pair at all gives zero merges here; learn_bpe.py stops with a ValueError. (4) Lines are
// split on "\n" only (Python's codecs reader also breaks at U+2028, U+0085, form feed, ...).
// (5) A codes file with only the "#version" line loads as no merges; apply_bpe.py rejects it.
// tools/crosscheck_bpe.py transcribes subword-nmt; on Multi30k the codes are byte-identical.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace attnscope {

// Called after each merge with (merges done, merges asked for).
using BpeProgress = std::function<void(int done, int total)>;

class BpeCodes {
 public:
  using Merge = std::pair<std::string, std::string>;

  BpeCodes();  // no merges: every word is split into characters
  explicit BpeCodes(std::vector<Merge> merges, int minor_version = 2);

  // Reads a codes file. Throws std::runtime_error naming the file and line when a line is not
  // exactly two symbols, or the "#version" line names a version other than 0.1 or 0.2.
  static BpeCodes load(const std::string& path);
  static BpeCodes parse(std::string_view text, const std::string& name);
  std::string serialize() const;              // "#version: 0.2\n" (0.2 only) and "a b\n" per merge
  void save(const std::string& path) const;   // atomically

  // One line, segmented like apply_bpe.py's process_line: words (split on spaces; runs of spaces
  // collapse) become pieces joined by "@@ "; spaces, "\r" and "\n" before the first and after the
  // last word are kept as they were.
  std::string apply(const std::string& line) const;
  // The pieces of a line, "@@" on all but the last piece of each word.
  std::vector<std::string> apply_tokens(const std::string& line) const;
  // The pieces of one word, without "@@" ("physikalischen" -> {"physi", "kalischen"}).
  std::vector<std::string> segment_word(const std::string& word) const;

  size_t size() const { return merges_.size(); }
  const std::vector<Merge>& merges() const { return merges_; }
  int minor_version() const { return minor_version_; }  // 1 or 2 (subword-nmt 0.1 or 0.2)
  // FNV-1a 64 over serialize(), as 16 hex digits: equal exactly when the files segment alike,
  // whatever their line ends or trailing spaces. A model can store it to notice other codes.
  std::string fingerprint() const;

 private:
  struct Impl;  // merge ranks and the per-word cache (shared by copies, guarded by a mutex)

  std::vector<Merge> merges_;
  int minor_version_ = 2;
  std::shared_ptr<Impl> impl_;
};

// Learns up to `num_merges` merges from whitespace-tokenised lines (see the top of this file).
// Stops early, with fewer merges, when no pair occurs at least `min_frequency` times.
// Throws std::invalid_argument when num_merges < 0 or min_frequency < 1.
BpeCodes learn_bpe(const std::vector<std::string>& lines, int num_merges, int min_frequency = 2,
                   const BpeProgress& progress = {});

// Joins pieces back into words: removes every "@@ " and a "@@" or "@@ " at the end of the line,
// like sed -r 's/(@@ )|(@@ ?$)//g'.
std::string undo_bpe(const std::string& line);

}  // namespace attnscope
