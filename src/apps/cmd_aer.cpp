// attnscope aer: precision, recall and alignment error rate of word alignments
// (src/analysis/alignment_error.h, docs/alignment.md).
#include <cstdio>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "analysis/alignment_error.h"
#include "apps/args.h"
#include "apps/commands.h"

namespace attnscope {
namespace {

void usage() {
  std::puts(
      "usage: attnscope aer GOLD HYP [--gold-base 0|1] [--hyp-base 0|1] [--swap] [--json]\n\n"
      "Scores hypothesis word alignments against gold ones (Och & Ney 2003). Both files are in\n"
      "Pharaoh format: one line per sentence pair, links \"i-j\" (sure) or \"ipj\" (possible), source\n"
      "index first. Gold sure links count as possible too (S is a subset of P). Summed over the corpus:\n"
      "  precision = |A&P| / |A|   recall = |A&S| / |S|   AER = 1 - (|A&S| + |A&P|) / (|A| + |S|)\n\n"
      "options:\n"
      "  --gold-base N   the gold file's first index (default 0)\n"
      "  --hyp-base N    the hypothesis file's first index (default 0)\n"
      "  --swap          the hypothesis is target-source: swap i and j of each of its links\n"
      "  --json          print one JSON object (fractions and counts) instead of a line\n\n"
      "example (1-based gold, 0-based fast_align output):\n"
      "  attnscope aer enfr.gold fastalign.enfr.talp --gold-base 1 --hyp-base 0");
}

}  // namespace

int cmd_aer(int argc, char** argv) {
  Args args(argc, argv, {"swap", "json"});
  if (args.help()) {
    usage();
    return 0;
  }
  PharaohOptions gold_opt, hyp_opt;
  gold_opt.base = static_cast<int>(args.get_int("gold-base", 0, 0, 1000000));
  hyp_opt.base = static_cast<int>(args.get_int("hyp-base", 0, 0, 1000000));
  hyp_opt.swap = args.has("swap");
  const bool json = args.has("json");
  args.finish();
  const auto& pos = args.positionals();
  if (pos.size() != 2)
    throw UsageError("expected two files, GOLD and HYP; got " + std::to_string(pos.size()) + " (see 'attnscope aer --help')");

  const auto gold = read_pharaoh(pos[0], gold_opt);
  const auto hyp = read_pharaoh(pos[1], hyp_opt);
  if (gold.size() != hyp.size())
    throw std::runtime_error(pos[0] + " has " + std::to_string(gold.size()) + " lines but " + pos[1] + " has " +
                             std::to_string(hyp.size()) + "; each line is one sentence pair");
  const AlignmentScore s = score_alignments(gold, hyp);
  if (json) {
    const nlohmann::json j = {{"precision", s.precision()},   {"recall", s.recall()},
                              {"aer", s.aer()},               {"sentences", s.sentences},
                              {"hypothesis_links", s.hypothesis}, {"sure_links", s.sure},
                              {"possible_links", s.possible}, {"hypothesis_and_sure", s.hyp_and_sure},
                              {"hypothesis_and_possible", s.hyp_and_possible}};
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("precision %.4f  recall %.4f  AER %.4f (%zu sentences, |A| = %zu, |S| = %zu, |P| = %zu)\n", s.precision(),
                s.recall(), s.aer(), s.sentences, s.hypothesis, s.sure, s.possible);
  }
  return 0;
}

}  // namespace attnscope
