#include "apps/runtime_flags.h"

namespace attnscope {

Runtime parse_runtime(Args& args, int default_threads) {
  Runtime r;
  r.device = args.get("device", "cpu");
  r.threads = static_cast<int>(args.get_int("threads", default_threads, 1, 256));
  return r;
}

std::vector<int> parse_index_list(const std::string& flag, const std::string& text) {
  std::vector<int> out;
  size_t start = 0;
  auto bad = [&]() { return UsageError("--" + flag + " " + text + ": expected indices like 0,3 or 8-11"); };
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    const size_t dash = item.find('-');
    try {
      if (item.empty() || item.size() > 18 || item.find_first_not_of("0123456789-") != std::string::npos) throw bad();
      if (dash == std::string::npos) {
        out.push_back(std::stoi(item));
      } else {
        const int a = std::stoi(item.substr(0, dash)), b = std::stoi(item.substr(dash + 1));
        if (a > b || b - a > 100000) throw bad();
        for (int i = a; i <= b; ++i) out.push_back(i);
      }
    } catch (const std::logic_error&) {
      throw bad();
    }
    start = comma + 1;
  }
  return out;
}

}  // namespace attnscope
