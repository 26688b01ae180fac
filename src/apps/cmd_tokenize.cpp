// attnscope tokenize: a whole file (or stdin) through a pretrained model's tokenizer, as pieces or ids.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "apps/args.h"
#include "apps/commands.h"
#include "text/tokenizer.h"

namespace attnscope {

namespace {

const char* kHelp = R"(usage: attnscope tokenize --tokenizer PATH [--ids] [--special] [--lines] [--time] [FILE|-]

Tokenises the whole of FILE (or stdin, with - or no FILE) as one text and prints its tokens;
with --lines, each line on its own (one tokenizer load for a whole corpus).

Output: one piece per line, exactly as the model sees it: BERT "##ing", GPT-2 "Ġthe" (Ġ is a
space), Marian "▁the", llama2.c " Once" (leading space kept; unknown characters as byte pieces
such as <0xF0>). Inside a piece, a backslash, newline, tab and carriage return are written \\,
\n, \t and \r, so every line is one piece. With --ids: the ids on one line, separated by spaces.
With --lines: one output line per input line (its "\n" or "\r\n" not part of the text): the ids,
or the pieces with a space inside a piece written \s, separated by spaces.

options:
  --tokenizer PATH   a model or tokenizer folder, or one of its files: tokenizer.json (Hugging
                     Face tokenizers: BPE, WordPiece, Unigram), vocab.txt (BERT WordPiece),
                     vocab.json + merges.txt (GPT-2 byte-level BPE), source.spm + vocab.json
                     (MarianMT SentencePiece, source side), tokenizer.model (SentencePiece,
                     Llama), tok*.bin (llama2.c)
  --ids              print ids instead of pieces
  --special          add the model's special tokens as for a prompt (BERT: [CLS] ... [SEP];
                     Marian: </s> last; llama2.c: BOS first; GPT-2: none; tokenizer.json:
                     its post-processor)
  --lines            tokenise each line of the input on its own, one output line each
  --time             print to stderr the lines, tokens and seconds spent encoding (load excluded)

examples:
  echo -n "Once upon a time" | attnscope tokenize --tokenizer models/stories260K --ids
  echo -n "The [MASK] sat." | attnscope tokenize --tokenizer bert-base-uncased --special
)";

// One piece per line: escape what would break the line structure (with `space`, also spaces).
std::string escape_piece(const std::string& piece, bool space = false) {
  std::string out;
  for (char c : piece) {
    if (space && c == ' ') {
      out += "\\s";
      continue;
    }
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  return out;
}

std::string read_input(const std::string& source) {
  if (source == "-") return std::string(std::istreambuf_iterator<char>(std::cin), {});
  std::ifstream in(source, std::ios::binary);
  if (!in) throw std::runtime_error(source + ": cannot open the input file");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

int cmd_tokenize(int argc, char** argv) {
  Args args(argc, argv, {"ids", "special", "lines", "time"});
  if (args.help()) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  auto tokenizer_path = args.get("tokenizer");
  const bool ids = args.has("ids");
  const bool special = args.has("special");
  const bool lines = args.has("lines");
  const bool timed = args.has("time");
  args.finish();
  if (!tokenizer_path) throw UsageError("--tokenizer PATH is required");
  if (args.positionals().size() > 1) throw UsageError("expected at most one FILE (or - for stdin)");
  const std::string source = args.positionals().empty() ? "-" : args.positionals()[0];

  const auto tokenizer = load_tokenizer(*tokenizer_path);
  const std::string input = read_input(source);
  std::vector<std::string_view> texts;
  if (lines) {
    for (size_t start = 0; start < input.size();) {
      size_t end = input.find('\n', start);
      if (end == std::string::npos) end = input.size();
      std::string_view line(input.data() + start, end - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      texts.push_back(line);
      start = end + 1;
    }
  } else {
    texts.push_back(input);
  }
  std::vector<std::vector<int>> encoded;
  encoded.reserve(texts.size());
  const auto t0 = std::chrono::steady_clock::now();
  size_t n_tokens = 0;
  for (std::string_view t : texts) {
    encoded.push_back(tokenizer->encode(std::string(t), special));
    n_tokens += encoded.back().size();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::ostringstream out;
  for (const std::vector<int>& tokens : encoded) {
    if (ids || lines) {
      for (size_t i = 0; i < tokens.size(); ++i) {
        out << (i ? " " : "");
        if (ids) out << tokens[i];
        else out << escape_piece(tokenizer->piece(tokens[i]), true);
      }
      out << '\n';
    } else {
      for (int id : tokens) out << escape_piece(tokenizer->piece(id)) << '\n';
    }
  }
  if (timed)
    std::fprintf(stderr, "encoded %zu texts, %zu tokens in %.3f s (%.0f tokens/s) with %s\n", texts.size(), n_tokens,
                 seconds, seconds > 0 ? static_cast<double>(n_tokens) / seconds : 0.0, tokenizer->describe().c_str());
  std::fwrite(out.str().data(), 1, out.str().size(), stdout);
  return 0;
}

}  // namespace attnscope
