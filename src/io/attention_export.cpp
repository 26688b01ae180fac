#include "io/attention_export.h"

#include <charconv>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "io/atomic_file.h"
#include "io/attention_json.h"
#include "io/npy.h"

namespace attnscope {

namespace fs = std::filesystem;

namespace {

void write_run_folder(const AttentionRun& run, const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create " + dir.string() + ": " + ec.message());
  for (const AttentionBlock& b : run.blocks)
    write_file_atomic((dir / (b.name() + ".npy")).string(), npy_bytes({b.heads, b.queries, b.keys}, b.data(), b.size()));
  const nlohmann::json tokens = {{"source_tokens", run.source_tokens},
                                 {"target_tokens", run.target_tokens},
                                 {"name", run.name},
                                 {"input", run.input_text},
                                 {"output", run.output_text}};
  write_file_atomic((dir / "tokens.json").string(), tokens.dump(2) + "\n");
}

}  // namespace

void export_npy_folder(const AttentionSet& set, const std::string& dir) {
  set.validate();
  if (set.runs.size() == 1) {
    write_run_folder(set.runs[0], dir);
    return;
  }
  for (size_t r = 0; r < set.runs.size(); ++r) write_run_folder(set.runs[r], fs::path(dir) / std::to_string(r));
}

void export_json(const AttentionSet& set, const std::string& path) {
  set.validate();
  write_file_atomic(path, attention_json(set));
}

std::string csv_field(const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void write_csv(const AttentionSet& set, std::ostream& os) {
  set.validate();
  os << "run,kind,layer,head,query,key,query_token,key_token,weight\r\n";
  std::string line;
  char num[32];
  for (size_t r = 0; r < set.runs.size(); ++r) {
    const AttentionRun& run = set.runs[r];
    for (const AttentionBlock& b : run.blocks) {
      const auto& qt = run.query_tokens(b.kind);
      const auto& kt = run.key_tokens(b.kind);
      const std::string prefix = std::to_string(r) + "," + kind_name(b.kind) + "," + std::to_string(b.layer) + ",";
      std::vector<std::string> keys;  // quoted once per block, not once per row
      for (const auto& t : kt) keys.push_back(csv_field(t));
      for (size_t h = 0; h < b.heads; ++h)
        for (size_t q = 0; q < b.queries; ++q) {
          const std::string row = prefix + std::to_string(h) + "," + std::to_string(q) + ",";
          const std::string query = csv_field(qt[q]);
          for (size_t k = 0; k < b.keys; ++k) {
            auto [end, ec] = std::to_chars(num, num + sizeof num, b.at(h, q, k));  // shortest exact float text
            line = row;
            line += std::to_string(k);
            line += ',';
            line += query;
            line += ',';
            line += keys[k];
            line += ',';
            line.append(num, end);
            line += "\r\n";
            os << line;
          }
        }
    }
  }
}

std::string attention_csv(const AttentionSet& set) {
  std::ostringstream os;
  write_csv(set, os);
  return os.str();
}

// Streams rows to the temporary file: a large set's CSV never has to fit in memory.
void export_csv(const AttentionSet& set, const std::string& path) {
  AtomicFile file(path);
  write_csv(set, file.stream());
  file.commit();
}

}  // namespace attnscope
