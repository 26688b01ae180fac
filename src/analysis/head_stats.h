// Per-head statistics over a corpus, after Clark et al. 2019 ("What Does BERT Look At?"): for each
// kind, layer and head, averaged over every query token of every sentence:
//   entropy          -sum_k p_k ln p_k (nats)
//   uniform_entropy  ln(number of keys the query may see): the entropy of uniform attention
//   broadness        entropy / uniform_entropy (1 = as broad as uniform, 0 = all on one key)
//   distance         sum_k p_k |q - k|              (self-attention only)
//   special          weight on [CLS] [SEP] <s> </s> <|endoftext|> ... keys
//   first            weight on the first key (attention sinks: long-context heads park weight there)
//   punctuation      weight on keys that are punctuation once subword markers are stripped
//   previous / same / next   weight on key q-1 / q / q+1   (self-attention only; previous
//                    averages over queries that have a token before them, next likewise)
//
// Either block form: query-key blocks (long inputs) are computed a band of rows at a time, so a
// head is never held whole.
//
// Exact reduction: each sentence gives a vector of sums (SentenceSums); the corpus value is their
// sum in sentence order, then divided once. Splitting a corpus across processes and adding the
// per-sentence vectors in the same order therefore gives bit-identical results.
#pragma once

#include <string>
#include <vector>

#include "core/attention_set.h"

namespace attnscope {

enum HeadStat { kEntropy, kUniformEntropy, kBroadness, kDistance, kSpecial, kFirst, kPunctuation, kPrevious, kSame, kNext, kStatCount };
const char* head_stat_name(int stat);  // "entropy", ...
int head_stat_from_name(const std::string& name);  // throws std::invalid_argument listing names

// True for the tokens models put around text ([CLS], [SEP], <s>, </s>, <|endoftext|>, ...): the
// "special" share. Narrower than subwords.h's is_special_token (any bracketed piece), which also
// matches [UNK] and byte pieces such as <0xC3>.
bool is_boundary_token(const std::string& piece);
// True when the piece, without its subword markers (Ġ, ▁, ##, @@), is only punctuation.
bool is_punctuation_token(const std::string& piece);

// Which blocks a corpus has, fixed by its first sentence; every later sentence must match.
struct StatsLayout {
  struct Block {
    AttentionKind kind;
    int layer;
    size_t heads;
  };
  std::vector<Block> blocks;

  static StatsLayout of(const AttentionRun& run);
  size_t heads_total() const;
  size_t size() const;  // length of a SentenceSums vector
  // Throws std::runtime_error naming the first block that differs from `run`'s.
  void check(const AttentionRun& run) const;
};

// One sentence's sums: per block and head, kStatCount sums (broadness stores nothing here; it
// is derived) and three counts (queries; queries with a previous / a next token), flattened.
using SentenceSums = std::vector<double>;
SentenceSums sentence_sums(const StatsLayout& layout, const AttentionRun& run);
// total += s, element by element.
void accumulate(SentenceSums& total, const SentenceSums& s);

struct HeadStatsRow {
  AttentionKind kind;
  int layer;
  int head;
  double values[kStatCount];  // NaN where a statistic does not apply (distance in cross-attention)
};

struct HeadStats {
  std::vector<HeadStatsRow> rows;  // blocks in layout order, heads in order
  size_t sentences = 0;
  double queries = 0;  // query tokens per head, summed over the corpus (first block)
};

HeadStats finish_head_stats(const StatsLayout& layout, const SentenceSums& total, size_t sentences);

// A fixed-width table, one line per head; layers and heads counted from 1 (layer 1 = block <kind>.0).
std::string format_head_stats(const HeadStats& stats);

}  // namespace attnscope
