// Fuzz target: Pharaoh / TALP word alignment files (analysis/alignment_error.h). Input: one byte
// of options (bit 0: 1-based, bit 1: target-source), then gold | hypothesis; both are parsed and,
// when they have as many sentences, scored.
#include <cmath>
#include <cstdint>
#include <exception>
#include <string>

#include "analysis/alignment_error.h"
#include "fuzz/fuzz_util.h"

using namespace attnscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  PharaohOptions opt;
  opt.base = data[0] & 1;
  opt.swap = (data[0] & 2) != 0;
  const auto parts = fuzz::split_parts({reinterpret_cast<const char*>(data) + 1, size - 1}, 2);
  try {
    const auto gold = parse_pharaoh(parts[0], "gold.talp", opt);
    const auto hyp = parse_pharaoh(parts.size() > 1 ? parts[1] : parts[0], "hyp.talp", opt);
    for (const SentenceAlignment& s : gold)
      for (const Link& l : s.sure)
        if (!s.possible.count(l) || l.first < 0 || l.second < 0) __builtin_trap();  // sure is in possible
    const AlignmentScore score = score_alignments(gold, hyp);
    if (!(score.aer() >= 0 && score.aer() <= 1)) __builtin_trap();
  } catch (const std::exception& e) {
    fuzz::note(e);
  }
  return 0;
}
