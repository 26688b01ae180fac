// A small flag parser shared by every subcommand: --name value, --name=value, --flag, positionals.
// Unknown flags are errors: each command declares what it takes, and Args::finish() rejects the rest.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace attnscope {

// Thrown for anything the user typed wrong; main() prints "attnscope: <message>" and exits 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Lines of standard input, without their line ends (\n or \r\n): `run -` takes one input a line.
std::vector<std::string> read_stdin_lines();

class Args {
 public:
  // argv[0] is the subcommand name. `flags` lists boolean flags (they take no value); every
  // other "--name" takes the next argument (or "=value") as its value.
  Args(int argc, char** argv, std::set<std::string> flags);

  bool has(const std::string& name);  // marks the flag as known
  std::string get(const std::string& name, const std::string& fallback);
  std::optional<std::string> get(const std::string& name);
  long get_int(const std::string& name, long fallback, long min, long max);
  double get_double(const std::string& name, double fallback, double min, double max);
  std::string choice(const std::string& name, const std::string& fallback, const std::vector<std::string>& allowed);
  const std::vector<std::string>& positionals() const { return positionals_; }
  bool help() const { return help_; }
  // Throws UsageError naming the first flag nobody asked for.
  void finish() const;

 private:
  std::string command_;
  std::map<std::string, std::string> values_;
  std::set<std::string> seen_flags_;
  std::set<std::string> used_;
  std::vector<std::string> positionals_;
  bool help_ = false;
};

}  // namespace attnscope
