// attnscope export: an .attn.safetensors file as NPY, JSON or CSV for other tools
// (src/io/attention_export.h, docs/interop.md). A new format is one more row in kExporters.
#include <cstdio>
#include <iostream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "apps/args.h"
#include "apps/commands.h"
#include "io/attention_export.h"
#include "io/attention_file.h"
#include "io/attention_json.h"
#include "serve/html_export.h"

namespace attnscope {
namespace {

void write_stdout(const std::string& text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size()) throw std::runtime_error("cannot write to stdout");
}

void json_to(const AttentionSet& set, const std::string& dest) {
  if (dest == "-") return write_stdout(attention_json(set));
  export_json(set, dest);
}

void csv_to(const AttentionSet& set, const std::string& dest) {
  if (dest == "-") {
    write_csv(set, std::cout);
    if (!std::cout.flush()) throw std::runtime_error("cannot write to stdout");
    return;
  }
  export_csv(set, dest);
}

struct Exporter {
  const char* flag;   // --<flag> DEST
  const char* dest;   // what DEST is, for --help
  const char* about;  // one line for --help
  void (*write)(const AttentionSet&, const std::string& dest);
};

const Exporter kExporters[] = {
    {"npy", "DIR", "one <kind>.<layer>.npy per block (float32 [heads, queries, keys]) plus tokens.json",
     export_npy_folder},
    {"json", "FILE", "{\"source_tokens\", \"target_tokens\", \"kind\", \"attention\": [layers][heads][q][k]}; '-': stdout",
     json_to},
    {"csv", "FILE", "long form: run,kind,layer,head,query,key,query_token,key_token,weight; '-': stdout", csv_to},
    {"html", "FILE", "the viewer with the data embedded: one page that works offline from file://", export_html},
};

// Formats planned but not in this build: their flags say so instead of "unknown option".
const std::vector<const char*> kUnavailable = {};

void usage() {
  std::printf("usage: attnscope export FILE.attn.safetensors --npy DIR | --json FILE | --csv FILE | --html FILE\n\n"
              "Writes recorded attention for other tools; give one or more formats. The numbers are the\n"
              "stored float32 weights, unchanged; 'attnscope import' reads the NPY folder and the JSON back.\n\n"
              "formats:\n");
  for (const Exporter& e : kExporters) std::printf("  --%-5s %-5s %s\n", e.flag, e.dest, e.about);
  std::printf("\nexamples:\n"
              "  attnscope export run.attn.safetensors --npy run-npy/\n"
              "  attnscope export run.attn.safetensors --json run.json --csv run.csv\n"
              "  attnscope export run.attn.safetensors --html run.html\n"
              "  python3 -c \"import numpy as np; print(np.load('run-npy/cross.0.npy').shape)\"\n");
}

}  // namespace

int cmd_export(int argc, char** argv) {
  Args args(argc, argv, {});
  if (args.help()) {
    usage();
    return 0;
  }
  for (const char* flag : kUnavailable)
    if (args.has(flag)) throw UsageError(std::string("--") + flag + ": not available in this build");
  std::vector<std::pair<const Exporter*, std::string>> jobs;
  for (const Exporter& e : kExporters)
    if (auto dest = args.get(e.flag)) jobs.emplace_back(&e, *dest);
  args.finish();

  const auto& pos = args.positionals();
  if (pos.empty()) throw UsageError("missing the input FILE.attn.safetensors (see 'attnscope export --help')");
  if (pos.size() > 1) throw UsageError("expected one input file, got " + std::to_string(pos.size()) + ": '" + pos[1] + "' is extra");
  if (jobs.empty()) throw UsageError("nothing to do: give --npy DIR, --json FILE or --csv FILE");
  int to_stdout = 0;
  for (const auto& [e, dest] : jobs) to_stdout += dest == "-";
  if (to_stdout > 1) throw UsageError("only one format can go to stdout ('-')");

  AttentionSet set = load_attention_set(pos[0]);
  for (const auto& [e, dest] : jobs) {
    // Long sets recorded as queries and keys: the array formats write every weight, so those
    // must fit (1 GB); the page computes its heads itself and refuses heads too long to embed.
    if (std::string(e->flag) != "html") set.require_dense(size_t{1} << 28, std::string("--") + e->flag);
    e->write(set, dest);
    if (dest != "-") std::fprintf(to_stdout ? stderr : stdout, "%s\n", dest.c_str());
  }
  return 0;
}

}  // namespace attnscope
