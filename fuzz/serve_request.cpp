// Fuzz target: what the viewer's server does with a request, in-process, without a socket.
//   - RequestGuard::check (serve/request_guard.h): the Host / Origin / Cookie / ?token= rules that
//     run before every handler;
//   - viewer_response (serve/html_export.h): the API handlers' answers ("block", "thumbs", "tile",
//     "pooled", "topkeys", "headsearch") with the request's query parameters, on a fixed set that
//     has dense blocks and a query-key block with thumbnails (run 1).
// Input lines: "endpoint?key=value&key=value", then method, path, Host, Origin, Cookie, ?token=
// for the guard; the first byte of the guard part picks how the server is bound.
// httplib's routing and viewer_server.cpp's own parameter parsing are not reachable without a
// socket; tests/cli (cli_serve_*) drive those.
#include <cmath>
#include <cstdint>
#include <exception>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "serve/html_export.h"
#include "serve/request_guard.h"
#include "tests/query_key_fixture.h"

#include "fuzz/fuzz_util.h"

using namespace attnscope;

namespace {

AttentionBlock dense(AttentionKind kind, int layer, size_t heads, size_t queries, size_t keys, unsigned seed) {
  AttentionBlock b;
  b.kind = kind;
  b.layer = layer;
  b.heads = heads;
  b.queries = queries;
  b.keys = keys;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  b.weights.resize(heads * queries * keys);
  for (size_t r = 0; r < heads * queries; ++r) {
    float sum = 0;
    for (size_t k = 0; k < keys; ++k) sum += b.weights[r * keys + k] = u(rng) + 1e-3f;
    for (size_t k = 0; k < keys; ++k) b.weights[r * keys + k] /= sum;
  }
  return b;
}

std::vector<std::string> tokens(size_t n, const std::string& stem) {
  std::vector<std::string> t;
  for (size_t i = 0; i < n; ++i) t.push_back(i % 3 == 1 ? "@@" + stem + std::to_string(i) : stem + std::to_string(i));
  return t;
}

const AttentionSet& fixed_set() {
  static const AttentionSet set = [] {
    AttentionSet s;
    s.meta["subword"] = "wordpiece";
    AttentionRun a;
    a.source_tokens = {"the", "cat", "##s", "sat", "."};
    a.target_tokens = {"die", "Katze", "##n", "saß"};
    a.blocks.push_back(dense(AttentionKind::EncoderSelf, 0, 2, 5, 5, 1));
    a.blocks.push_back(dense(AttentionKind::EncoderSelf, 1, 2, 5, 5, 2));
    a.blocks.push_back(dense(AttentionKind::DecoderSelf, 0, 2, 4, 4, 3));
    a.blocks.push_back(dense(AttentionKind::Cross, 0, 2, 4, 5, 4));
    s.runs.push_back(a);
    AttentionRun b;
    b.name = "long";
    b.target_tokens = tokens(40, "t");
    AttentionBlock qk;
    qk.kind = AttentionKind::DecoderSelf;
    qk.layer = 0;
    qk.heads = 2;
    qk.queries = qk.keys = 40;
    qk.qk = testing::synthetic_query_keys(2, 1, 40, 4, 8);
    b.blocks.push_back(qk);
    b.blocks.push_back(dense(AttentionKind::DecoderSelf, 1, 3, 40, 40, 5));
    s.runs.push_back(b);
    s.validate();
    return s;
  }();
  return set;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<std::string> lines = lines_of(std::string(reinterpret_cast<const char*>(data), size));
  if (lines.empty()) return 0;
  // The API request: endpoint and query.
  std::string endpoint;
  const std::map<std::string, std::string> params = fuzz::split_request(lines[0], endpoint);
  try {
    (void)viewer_response(fixed_set(), endpoint, params);
  } catch (const std::exception& e) {
    fuzz::note(e);  // invalid_argument, out_of_range, length_error: 4xx
  }
  // The guard.
  auto line = [&](size_t i) { return i < lines.size() ? lines[i] : std::string(); };
  const std::string method = line(1);
  RequestGuard guard;
  const uint8_t mode = method.empty() ? 0 : static_cast<uint8_t>(method[0]);
  static const char* hosts[] = {"127.0.0.1", "localhost", "::1", "0.0.0.0"};
  guard.bind_host = hosts[mode % 4];
  guard.port = mode & 4 ? 8765 : 0;
  guard.token = mode & 8 ? "0123456789abcdef0123456789abcdef" : "";
  const RequestGuard::Verdict v = guard.check(method, line(2), line(3), line(4), line(5), line(6));
  if (v.status != 0 && v.status != 403) __builtin_trap();
  if (v.error.find('\n') != std::string::npos) __builtin_trap();  // one line, as the JSON error needs
  return 0;
}
