// attnscope tokenize: a whole file (or stdin) through a pretrained model's tokenizer, as pieces or ids.
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

const char* kHelp = R"(usage: attnscope tokenize --tokenizer PATH [--ids] [--special] [FILE|-]

Tokenises the whole of FILE (or stdin, with - or no FILE) as one text and prints its tokens.

Output: one piece per line, exactly as the model sees it: BERT "##ing", GPT-2 "Ġthe" (Ġ is a
space), Marian "▁the", llama2.c " Once" (leading space kept; unknown characters as byte pieces
such as <0xF0>). Inside a piece, a backslash, newline, tab and carriage return are written \\,
\n, \t and \r, so every line is one piece. With --ids: the ids on one line, separated by spaces.

options:
  --tokenizer PATH   a model or tokenizer folder, or one of its files: vocab.txt (BERT WordPiece),
                     vocab.json + merges.txt (GPT-2 byte-level BPE), source.spm + vocab.json
                     (MarianMT SentencePiece, source side), tok*.bin (llama2.c)
  --ids              print ids instead of pieces
  --special          add the model's special tokens as for a prompt (BERT: [CLS] ... [SEP];
                     Marian: </s> last; llama2.c: BOS first; GPT-2: none)

examples:
  echo -n "Once upon a time" | attnscope tokenize --tokenizer models/stories260K --ids
  echo -n "The [MASK] sat." | attnscope tokenize --tokenizer bert-base-uncased --special
)";

// One piece per line: escape what would break the line structure.
std::string escape_piece(const std::string& piece) {
  std::string out;
  for (char c : piece) {
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
  Args args(argc, argv, {"ids", "special"});
  if (args.help()) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  auto tokenizer_path = args.get("tokenizer");
  const bool ids = args.has("ids");
  const bool special = args.has("special");
  args.finish();
  if (!tokenizer_path) throw UsageError("--tokenizer PATH is required");
  if (args.positionals().size() > 1) throw UsageError("expected at most one FILE (or - for stdin)");
  const std::string source = args.positionals().empty() ? "-" : args.positionals()[0];

  const auto tokenizer = load_tokenizer(*tokenizer_path);
  const std::vector<int> tokens = tokenizer->encode(read_input(source), special);
  std::ostringstream out;
  if (ids) {
    for (size_t i = 0; i < tokens.size(); ++i) out << (i ? " " : "") << tokens[i];
    out << '\n';
  } else {
    for (int id : tokens) out << escape_piece(tokenizer->piece(id)) << '\n';
  }
  std::fwrite(out.str().data(), 1, out.str().size(), stdout);
  return 0;
}

}  // namespace attnscope
