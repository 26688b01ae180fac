// attnscope bleu: corpus BLEU as sacreBLEU computes it by default (src/analysis/bleu.h).
#include <cstdlib>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "analysis/bleu.h"
#include "apps/args.h"
#include "apps/commands.h"
#include "io/text_lines.h"

namespace attnscope {
namespace {

const char* kHelp = R"(usage: attnscope bleu --hyp FILE --ref FILE [--json]

Corpus BLEU of a system output against one reference, computed as sacreBLEU 2.x does by
default (13a tokenisation, mixed case, 1- to 4-grams, exp smoothing), so the score equals
`sacrebleu REF -i HYP -m bleu -w 2`. Give both files detokenised and without BPE: undo the
"@@ " pieces first (attnscope bpe undo). Line i of HYP is scored against line i of REF.

Prints: BLEU = score 1-gram/2-gram/3-gram/4-gram precisions (BP = brevity penalty
ratio = hyp_len / ref_len hyp_len = ... ref_len = ...), lengths in 13a tokens.

options:
  --hyp FILE   the system output, one sentence a line (- for stdin; .gz is read as gzip)
  --ref FILE   the reference translations, as many lines; none may be empty
  --json       print one JSON object: score (2 decimals, as sacreBLEU), score_exact, precisions,
               counts, totals, bp, ratio, lengths and the signature

example (Multi30k test 2016, English -> German):
  attnscope bpe undo hyp.bpe.de > hyp.de
  attnscope bleu --hyp hyp.de --ref ../shared/data/multi30k/test_2016_flickr.de.gz
)";

std::vector<std::string> read_lines_or_stdin(const std::string& path) {
  if (path != "-") return read_text_lines(path);
  return split_text_lines(std::string(std::istreambuf_iterator<char>(std::cin), {}), "<stdin>");
}

}  // namespace

int cmd_bleu(int argc, char** argv) {
  Args args(argc, argv, {"json"});
  if (args.help()) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  const auto hyp_path = args.get("hyp");
  const auto ref_path = args.get("ref");
  const bool json = args.has("json");
  args.finish();
  if (!args.positionals().empty())
    throw UsageError("unexpected argument '" + args.positionals()[0] + "': give the files as --hyp FILE --ref FILE");
  if (!hyp_path || !ref_path) throw UsageError("--hyp FILE and --ref FILE are required (see 'attnscope bleu --help')");

  const auto hyps = read_lines_or_stdin(*hyp_path);
  const auto refs = read_lines_or_stdin(*ref_path);
  if (hyps.size() != refs.size())
    throw std::runtime_error(*hyp_path + " has " + std::to_string(hyps.size()) + " lines but " + *ref_path + " has " +
                             std::to_string(refs.size()) + "; BLEU pairs them line by line");
  BleuScore s;
  try {
    s = corpus_bleu(hyps, refs);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(*ref_path + ": " + e.what());
  }
  if (json) {
    const std::string line = s.format();
    char score2[32];
    std::snprintf(score2, sizeof score2, "%.2f", s.score);
    nlohmann::json j = {{"name", "BLEU"},
                        {"score", std::strtod(score2, nullptr)},  // as sacreBLEU -w 2 writes it
                        {"score_exact", s.score},
                        {"signature", BleuScore::signature()},
                        {"verbose_score", line.substr(line.find(' ', 7) + 1)},
                        {"precisions", s.precisions},
                        {"counts", s.correct},
                        {"totals", s.total},
                        {"bp", s.bp},
                        {"ratio", s.ratio},
                        {"hyp_len", s.hyp_len},
                        {"ref_len", s.ref_len},
                        {"segments", s.segments},
                        {"nrefs", "1"},
                        {"case", "mixed"},
                        {"eff", "no"},
                        {"tok", "13a"},
                        {"smooth", "exp"}};
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("%s\n", s.format().c_str());
  }
  return 0;
}

}  // namespace attnscope
