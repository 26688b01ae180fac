// Shared by the fuzz targets: a private scratch folder for readers that only take paths, and the
// splitting of one fuzz input into parts (files and text).
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace attnscope::fuzz {

// A refusal (a thrown error) is the expected answer to a bad input. With ATTNSCOPE_FUZZ_VERBOSE=1
// each is printed, to check that seeds get past the first checks (`./target seed` replays one).
inline void note(const std::exception& e) {
  static const bool verbose = std::getenv("ATTNSCOPE_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "refused: %s\n", e.what());
}

// Separates the parts of an input made of several files and a text ("file|text"): a line of its
// own, so text seeds stay readable; each target's .dict names it so libFuzzer inserts it whole.
inline constexpr std::string_view kSeparator = "\n#--attnscope-fuzz--#\n";

// Up to `max_parts` parts; the last part holds the rest, separators included.
inline std::vector<std::string> split_parts(std::string_view data, size_t max_parts) {
  std::vector<std::string> parts;
  while (parts.size() + 1 < max_parts) {
    const size_t at = data.find(kSeparator);
    if (at == std::string_view::npos) break;
    parts.emplace_back(data.substr(0, at));
    data.remove_prefix(at + kSeparator.size());
  }
  parts.emplace_back(data);
  return parts;
}

// A folder of this process's own under /dev/shm (tmpfs: no disk writes per input) or /tmp,
// removed at exit.
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    namespace fs = std::filesystem;
    const fs::path base = fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    std::string tmpl = (base / "attnscope-fuzz-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) std::abort();
    static const std::string remove_at_exit = tmpl;
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(remove_at_exit, ec);
    });
    return fs::path(tmpl);
  }();
  return dir;
}

// Writes `bytes` to scratch_dir()/name and returns the path.
inline std::string write_scratch(const std::string& name, std::string_view bytes) {
  const std::filesystem::path p = scratch_dir() / name;
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) std::abort();  // the scratch folder is ours: failing to write it is the harness's bug
  return p.string();
}

// Empties scratch_dir()/sub (creating it) and returns it.
inline std::string fresh_scratch_subdir(const std::string& sub) {
  namespace fs = std::filesystem;
  const fs::path d = scratch_dir() / sub;
  std::error_code ec;
  fs::remove_all(d, ec);
  fs::create_directories(d);
  return d.string();
}

// "thumbs?kind=cross&size=32" -> endpoint "thumbs" and its parameters, as the viewer's servers
// split a request before viewer_response.
inline std::map<std::string, std::string> split_request(const std::string& request, std::string& endpoint) {
  const size_t q = request.find('?');
  endpoint = request.substr(0, q);
  std::map<std::string, std::string> params;
  if (q == std::string::npos) return params;
  std::istringstream query(request.substr(q + 1));
  for (std::string pair; std::getline(query, pair, '&');) {
    const size_t eq = pair.find('=');
    params[pair.substr(0, eq)] = eq == std::string::npos ? "" : pair.substr(eq + 1);
  }
  return params;
}

}  // namespace attnscope::fuzz
