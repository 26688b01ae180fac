// attnscope bpe: learn subword-nmt BPE codes from a corpus, segment text with them, join it back
// (src/text/bpe.h, docs/translation.md).
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "apps/args.h"
#include "apps/commands.h"
#include "core/progress.h"
#include "io/text_lines.h"
#include "text/bpe.h"

namespace attnscope {
namespace {

const char* kHelp = R"(usage: attnscope bpe learn --input FILE [--input FILE ...] --merges N --out CODES
       attnscope bpe apply --codes CODES [FILE|-]
       attnscope bpe undo [FILE|-]

Byte pair encoding as subword-nmt does it (Sennrich et al. 2016), with identical codes files:
  learn   counts the space-separated words of the input files and learns N merges, the most
          frequent adjacent pair of symbols first ("#version: 0.2" codes, "</w>" ends a word)
  apply   segments each line: words the codes cannot build whole become pieces, all but the
          last of a word ending in "@@" ("physikalischen" -> "physi@@ kalischen")
  undo    joins the pieces again (removes "@@ ", like sed -r 's/(@@ )|(@@ ?$)//g')
Input files are UTF-8 text, one sentence a line, or gzip when the name ends in .gz; - is stdin.
apply and undo write to stdout.

learn options:
  --input FILE          a training file; repeat for more (or list the files after the options)
  --merges N            how many merges to learn (subword-nmt's --symbols)
  --min-frequency K     stop early when no pair occurs K times (default 2)
  --out CODES           the codes file to write (written whole or not at all)
  --quiet               no progress bar
apply options:
  --codes CODES         a codes file from `bpe learn` or subword-nmt learn-bpe

example (Multi30k, one set of codes for English and German):
  D=../shared/data/multi30k
  attnscope bpe learn --input $D/train.en.gz --input $D/train.de.gz --merges 10000 --out bpe.codes
  attnscope bpe apply --codes bpe.codes $D/val.de.gz > val.bpe.de
  attnscope bpe undo val.bpe.de | diff - <(zcat $D/val.de.gz)
)";

// Every value of a repeated option: Args keeps only the last one, and `learn` takes several
// --input files. Same syntax as Args: "--name VALUE" or "--name=VALUE".
std::vector<std::string> repeated_values(int argc, char** argv, const std::string& name) {
  std::vector<std::string> values;
  const std::string flag = "--" + name, prefix = flag + "=";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == flag && i + 1 < argc)
      values.push_back(argv[++i]);
    else if (a.rfind(prefix, 0) == 0)
      values.push_back(a.substr(prefix.size()));
  }
  return values;
}

std::vector<std::string> read_input_lines(const std::string& source) {
  if (source != "-") return read_text_lines(source);
  return split_text_lines(std::string(std::istreambuf_iterator<char>(std::cin), {}), "<stdin>");
}

std::string one_source(const Args& args, const std::string& command) {
  if (args.positionals().size() > 1)
    throw UsageError("expected at most one FILE (or - for stdin), got " + std::to_string(args.positionals().size()) +
                     " (see 'attnscope bpe " + command + " --help')");
  return args.positionals().empty() ? "-" : args.positionals()[0];
}

// Writes lines to stdout in large blocks.
class LineWriter {
 public:
  void line(const std::string& s) {
    buffer_ += s;
    buffer_ += '\n';
    if (buffer_.size() > (1 << 16)) flush();
  }
  void flush() {
    if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), stdout) != buffer_.size())
      throw std::runtime_error("cannot write to stdout");
    buffer_.clear();
  }

 private:
  std::string buffer_;
};

int learn(int argc, char** argv) {
  Args args(argc, argv, {"quiet"});
  if (args.help()) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  std::vector<std::string> inputs = repeated_values(argc, argv, "input");
  args.get("input");  // read above, every occurrence
  for (const auto& p : args.positionals()) inputs.push_back(p);
  const auto out = args.get("out");
  const auto merges_arg = args.get("merges");
  const int merges = static_cast<int>(args.get_int("merges", 0, 0, 10000000));
  const int min_frequency = static_cast<int>(args.get_int("min-frequency", 2, 1, 1000000000));
  const bool quiet = args.has("quiet");
  args.finish();
  if (inputs.empty()) throw UsageError("--input FILE is required (see 'attnscope bpe learn --help')");
  if (!merges_arg) throw UsageError("--merges N is required, e.g. --merges 10000");
  if (!out) throw UsageError("--out CODES is required");

  const auto start = std::chrono::steady_clock::now();
  std::vector<std::string> lines;
  for (const auto& path : inputs) {
    std::vector<std::string> more = read_input_lines(path);
    lines.insert(lines.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
  }
  ProgressBar bar(!quiet, merges, "merges");
  const BpeCodes codes = learn_bpe(lines, merges, min_frequency, [&](int done, int) { bar.update(done); });
  bar.done();
  codes.save(*out);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (codes.size() < static_cast<size_t>(merges))
    std::fprintf(stderr, "stopped after %zu merges: no pair occurs %d times or more\n", codes.size(), min_frequency);
  std::fprintf(stderr, "%zu merges from %zu lines in %.1fs -> %s (fingerprint %s)\n", codes.size(), lines.size(),
               seconds, out->c_str(), codes.fingerprint().c_str());
  return 0;
}

int apply(int argc, char** argv) {
  Args args(argc, argv, {});
  if (args.help()) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  const auto codes_path = args.get("codes");
  args.finish();
  if (!codes_path) throw UsageError("--codes CODES is required (see 'attnscope bpe apply --help')");
  const std::string source = one_source(args, "apply");
  const BpeCodes codes = BpeCodes::load(*codes_path);
  LineWriter out;
  for (const auto& line : read_input_lines(source)) out.line(codes.apply(line));
  out.flush();
  return 0;
}

int undo(int argc, char** argv) {
  Args args(argc, argv, {});
  if (args.help()) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  args.finish();
  const std::string source = one_source(args, "undo");
  LineWriter out;
  for (const auto& line : read_input_lines(source)) out.line(undo_bpe(line));
  out.flush();
  return 0;
}

}  // namespace

int cmd_bpe(int argc, char** argv) {
  if (argc < 2) throw UsageError("expected learn, apply or undo (see 'attnscope bpe --help')");
  if (!std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  const std::string sub = argv[1];
  // The subcommand's Args see "bpe learn" as their command, so their errors point at its --help.
  std::string name = "bpe " + sub;
  std::vector<char*> sub_argv(argv + 1, argv + argc);
  sub_argv[0] = name.data();
  const int sub_argc = static_cast<int>(sub_argv.size());
  if (sub == "learn") return learn(sub_argc, sub_argv.data());
  if (sub == "apply") return apply(sub_argc, sub_argv.data());
  if (sub == "undo") return undo(sub_argc, sub_argv.data());
  throw UsageError("unknown subcommand '" + sub + "': expected learn, apply or undo");
}

}  // namespace attnscope
