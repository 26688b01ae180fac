#include "analysis/alignment_error.h"

#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "io/atomic_file.h"

namespace attnscope {

namespace {

// Reads a non-negative decimal index; false for anything else ("", "-1", "3a", overflow).
bool parse_index(const std::string& s, long& out) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 9) return false;
  out = std::strtol(s.c_str(), nullptr, 10);
  return true;
}

}  // namespace

std::vector<SentenceAlignment> parse_pharaoh(const std::string& text, const std::string& name, const PharaohOptions& opt) {
  std::vector<SentenceAlignment> out;
  std::istringstream in(text);
  size_t line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    SentenceAlignment sentence;
    std::istringstream links(line);
    for (std::string token; links >> token;) {
      const size_t sep = token.find_first_of("-p");
      long i = 0, j = 0;
      if (sep == std::string::npos || !parse_index(token.substr(0, sep), i) || !parse_index(token.substr(sep + 1), j))
        throw std::runtime_error(name + ":" + std::to_string(line_no) + ": malformed link '" + token +
                                 "' (expected i-j for sure or ipj for possible)");
      i -= opt.base;
      j -= opt.base;
      if (i < 0 || j < 0)
        throw std::runtime_error(name + ":" + std::to_string(line_no) + ": link '" + token + "' has index " +
                                 std::to_string(i < 0 ? i : j) + " after subtracting base " + std::to_string(opt.base) +
                                 " (wrong --gold-base / --hyp-base?)");
      Link link{static_cast<int>(i), static_cast<int>(j)};
      if (opt.swap) std::swap(link.first, link.second);
      if (token[sep] == '-') sentence.sure.insert(link);
      sentence.possible.insert(link);
    }
    out.push_back(std::move(sentence));
  }
  return out;
}

std::vector<SentenceAlignment> read_pharaoh(const std::string& path, const PharaohOptions& opt) {
  return parse_pharaoh(read_file(path), path, opt);
}

double AlignmentScore::precision() const {
  return hypothesis ? static_cast<double>(hyp_and_possible) / static_cast<double>(hypothesis) : 0.0;
}

double AlignmentScore::recall() const { return sure ? static_cast<double>(hyp_and_sure) / static_cast<double>(sure) : 0.0; }

double AlignmentScore::aer() const {
  if (hypothesis + sure == 0) return 1.0;
  return 1.0 - static_cast<double>(hyp_and_sure + hyp_and_possible) / static_cast<double>(hypothesis + sure);
}

AlignmentScore score_alignments(const std::vector<SentenceAlignment>& gold, const std::vector<SentenceAlignment>& hyp) {
  if (gold.size() != hyp.size())
    throw std::invalid_argument("gold has " + std::to_string(gold.size()) + " sentences but the hypothesis has " +
                                std::to_string(hyp.size()));
  AlignmentScore s;
  s.sentences = gold.size();
  for (size_t n = 0; n < gold.size(); ++n) {
    const SentenceAlignment& g = gold[n];
    const std::set<Link>& a = hyp[n].possible;  // every hypothesis link, sure or possible
    s.hypothesis += a.size();
    s.sure += g.sure.size();
    s.possible += g.possible.size();
    for (const Link& link : a) {
      s.hyp_and_sure += g.sure.count(link);
      s.hyp_and_possible += g.possible.count(link);
    }
  }
  return s;
}

}  // namespace attnscope
