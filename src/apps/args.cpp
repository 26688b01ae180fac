#include "apps/args.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <iostream>

namespace attnscope {

std::vector<std::string> read_stdin_lines() {
  std::vector<std::string> lines;
  for (std::string line; std::getline(std::cin, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

Args::Args(int argc, char** argv, std::set<std::string> flags) : command_(argc > 0 ? argv[0] : "") {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-o") a = "--out";  // the one short option every writing command takes
    if (a == "-h" || a == "--help") {
      help_ = true;
    } else if (a.size() > 2 && a.rfind("--", 0) == 0) {
      std::string name = a.substr(2), value;
      const size_t eq = name.find('=');
      if (eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      } else if (flags.count(name)) {
        value = "1";
      } else {
        if (i + 1 >= argc) throw UsageError("--" + name + " needs a value");
        value = argv[++i];
      }
      if (flags.count(name)) seen_flags_.insert(name);
      values_[name] = value;
    } else {
      positionals_.push_back(a);
    }
  }
}

bool Args::has(const std::string& name) {
  used_.insert(name);
  return values_.count(name) > 0;
}

std::optional<std::string> Args::get(const std::string& name) {
  used_.insert(name);
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Args::get(const std::string& name, const std::string& fallback) { return get(name).value_or(fallback); }

long Args::get_int(const std::string& name, long fallback, long min, long max) {
  auto v = get(name);
  if (!v) return fallback;
  errno = 0;
  char* end = nullptr;
  long n = std::strtol(v->c_str(), &end, 10);
  if (v->empty() || *end != '\0' || errno != 0)
    throw UsageError("--" + name + " expects an integer, got '" + *v + "'");
  if (n < min || n > max)
    throw UsageError("--" + name + " must be between " + std::to_string(min) + " and " + std::to_string(max) +
                     ", got " + *v);
  return n;
}

double Args::get_double(const std::string& name, double fallback, double min, double max) {
  auto v = get(name);
  if (!v) return fallback;
  char* end = nullptr;
  double x = std::strtod(v->c_str(), &end);
  if (v->empty() || *end != '\0' || !std::isfinite(x))
    throw UsageError("--" + name + " expects a number, got '" + *v + "'");
  if (x < min || x > max)
    throw UsageError("--" + name + " must be between " + std::to_string(min) + " and " + std::to_string(max) +
                     ", got " + *v);
  return x;
}

std::string Args::choice(const std::string& name, const std::string& fallback, const std::vector<std::string>& allowed) {
  std::string v = get(name, fallback);
  for (const auto& a : allowed)
    if (a == v) return v;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  throw UsageError("--" + name + " must be one of " + list + "; got '" + v + "'");
}

void Args::finish() const {
  for (const auto& [name, value] : values_)
    if (!used_.count(name)) throw UsageError("unknown option --" + name + " (see 'attnscope " + command_ + " --help')");
}

}  // namespace attnscope
