#include "text/special_tokens.h"

namespace attnscope {

std::vector<TextSegment> split_on_special_tokens(std::string_view text,
                                                 const std::vector<std::pair<std::string, int>>& specials) {
  std::vector<TextSegment> out;
  size_t plain_start = 0;
  for (size_t i = 0; i < text.size();) {
    const std::pair<std::string, int>* best = nullptr;
    for (const auto& s : specials)
      if (!s.first.empty() && text.compare(i, s.first.size(), s.first) == 0 &&
          (!best || s.first.size() > best->first.size()))
        best = &s;
    if (!best) {
      ++i;
      continue;
    }
    if (i > plain_start) out.push_back({text.substr(plain_start, i - plain_start), -1});
    out.push_back({{}, best->second});
    i += best->first.size();
    plain_start = i;
  }
  if (plain_start < text.size()) out.push_back({text.substr(plain_start), -1});
  return out;
}

}  // namespace attnscope
