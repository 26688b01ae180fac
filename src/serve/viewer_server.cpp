#include "serve/viewer_server.h"

#include <httplib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "io/atomic_file.h"
#include "io/attention_file.h"
#include "models/decoding/mask_experiment.h"
#include "render/render.h"
#include "serve/connection_threads.h"
#include "serve/html_export.h"
#include "serve/request_guard.h"
#include "serve/viewer_data.h"
#include "serve/web_assets.h"

namespace attnscope {
namespace {

constexpr size_t kMaxRequestBytes = 64 << 10;  // POST bodies: an input and a mask list
constexpr time_t kKeepAliveSeconds = 2;         // idle browser connections hold a pool thread and delay stop()
// Connections served at once, each on its own thread (serve/connection_threads.h): a browser opens
// about 6; the rest is headroom against clients that trickle their requests (slowloris).
constexpr size_t kMaxConnections = 512;
// Seconds httplib waits for each read or write; a client that sends nothing for this long is closed.
constexpr time_t kReadTimeoutSeconds = 5;

// httplib's task queue, one thread per connection.
class ThreadPerConnection : public httplib::TaskQueue {
 public:
  explicit ThreadPerConnection(size_t max) : threads_(max) {}
  void enqueue(std::function<void()> fn) override { threads_.enqueue(std::move(fn)); }
  void shutdown() override { threads_.shutdown(); }

 private:
  ConnectionThreads threads_;
};

// A client error: answered with `status` and its message.
struct HttpError : std::runtime_error {
  int status;
  HttpError(int s, const std::string& m) : std::runtime_error(m), status(s) {}
};

void send_json(httplib::Response& res, const nlohmann::json& j, int status = 200) {
  res.status = status;
  // Invalid UTF-8 (echoed from a bad request, or in a file's tokens) is replaced, never thrown.
  res.set_content(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message) {
  std::string line = message;
  for (char& c : line)
    if (c == '\n' || c == '\r') c = ' ';
  send_json(res, {{"error", line}}, status);
}

long int_param(const httplib::Request& req, const std::string& name, long fallback) {
  if (!req.has_param(name.c_str())) return fallback;
  const std::string v = req.get_param_value(name.c_str());
  size_t used = 0;
  long x = 0;
  try {
    x = std::stol(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != v.size() || v.empty()) throw HttpError(400, name + " must be an integer, not '" + v + "'");
  return x;
}

// A non-negative integer parameter (indices, sizes).
size_t index_param(const httplib::Request& req, const std::string& name, long fallback) {
  const long v = int_param(req, name, fallback);
  if (v < 0) throw HttpError(400, name + " must be >= 0, not " + std::to_string(v));
  return static_cast<size_t>(v);
}

std::string str_param(const httplib::Request& req, const std::string& name, const std::string& fallback) {
  return req.has_param(name.c_str()) ? req.get_param_value(name.c_str()) : fallback;
}

}  // namespace

struct ViewerServer::Impl {
  RequestGuard guard;  // host and port filled in by bind()
  int listen_socket = -1;  // the socket httplib listens on (set_socket_options sees it first)
  SetStore& sets;
  std::vector<std::shared_ptr<const Model>> models;
  size_t threads = 1;
  std::mutex run_mutex;  // one model run at a time
  httplib::Server http;
  // Thumbnail responses by "set/run/kind/size": sets never change, and pooling a 2,048-token
  // 12 x 12 set reads 2.4 GB, so each is computed once. Cleared when it holds too many.
  static constexpr size_t kMaxCachedThumbs = 64;
  std::mutex thumbs_mutex;
  std::map<std::string, std::shared_ptr<const std::string>> thumbs_cache;

  std::shared_ptr<const std::string> thumbs(int id, const AttentionSet& set, size_t run, const std::string& kind, size_t size) {
    const std::string key = std::to_string(id) + "/" + std::to_string(run) + "/" + kind + "/" + std::to_string(size);
    {
      std::lock_guard lock(thumbs_mutex);
      if (auto it = thumbs_cache.find(key); it != thumbs_cache.end()) return it->second;
    }
    auto bytes = std::make_shared<const std::string>(encode_thumbnails(set, run, kind, size, threads));
    std::lock_guard lock(thumbs_mutex);
    if (thumbs_cache.size() >= kMaxCachedThumbs) thumbs_cache.clear();
    thumbs_cache[key] = bytes;
    return bytes;
  }

  const std::string page = viewer_page();  // "/": the viewer in one request

  Impl(SetStore& s, std::vector<std::shared_ptr<const Model>> m, size_t t) : sets(s), models(std::move(m)), threads(t) {
    routes();
  }

  std::shared_ptr<const AttentionSet> set_of(const httplib::Request& req) {
    try {
      return sets.get(std::stoi(req.matches[1].str()));
    } catch (const std::out_of_range& e) {
      throw HttpError(404, e.what());
    }
  }

  nlohmann::json info() {
    nlohmann::json ms = nlohmann::json::array();
    for (const auto& m : models) {
      const ModelInfo& i = m->info();
      nlohmann::json j = {{"name", i.name},
                          {"summary", i.summary},
                          {"alphabet", i.alphabet},
                          {"format", format_name(i.format)},
                          {"role", role_name(i.role)},
                          {"architecture", architecture_name(i.architecture)},
                          {"kinds", i.kinds},
                          {"layers", i.layers},
                          {"heads", i.heads},
                          {"takes_ids", i.takes_ids},
                          {"mask_token", i.mask_token},
                          {"mask_is_substitute", i.mask_is_substitute},
                          {"max_input_tokens", i.max_input_tokens}};
      if (!i.alphabet.empty()) j["placeholder"] = i.mask_token;  // character models: the masking character
      ms.push_back(j);
    }
    nlohmann::json ss = nlohmann::json::array();
    for (const auto& s : sets.list())
      ss.push_back({{"id", s.id}, {"name", s.name}, {"origin", s.origin}, {"runs", s.set->runs.size()}});
    return {{"version", kViewerDataVersion}, {"mode", "server"}, {"models", ms}, {"sets", ss}};
  }

  // POST /api/run {"model", "input", "mask": [positions]?, "max_new_tokens"?, "beam"?,
  // "forced_output"?}: runs the model (with a mask: the masking experiment, runs "original"
  // and "masked", the masked one forced onto the original's output) and stores the set;
  // answers its id and description, and the output.
  nlohmann::json run(const std::string& body) {
    nlohmann::json req;
    try {
      req = nlohmann::json::parse(body);
    } catch (const std::exception& e) {
      throw HttpError(400, std::string("malformed JSON: ") + e.what());
    }
    if (!req.is_object() || !req.contains("input") || !req["input"].is_string())
      throw HttpError(400, "expected {\"model\": NAME, \"input\": TEXT, \"mask\": [positions]?, \"max_new_tokens\": N?, "
                           "\"beam\": K?, \"forced_output\": TEXT?}");
    if (req.contains("model") && !req["model"].is_string()) throw HttpError(400, "model must be a name (a string)");
    const Model* model = nullptr;
    const std::string name = req.value("model", models.empty() ? std::string() : models[0]->info().name);
    for (const auto& m : models)
      if (m->info().name == name) model = m.get();
    if (!model) {
      std::string known;
      for (const auto& m : models) known += (known.empty() ? "" : ", ") + m->info().name;
      throw HttpError(404, models.empty() ? "this server has no models (start it with --model DIR)"
                                          : "unknown model '" + name + "' (this server has: " + known + ")");
    }
    Request r;
    r.input = req["input"].get<std::string>();
    auto integer = [&](const char* key, long lo, long hi) -> std::optional<long> {
      if (!req.contains(key)) return std::nullopt;
      if (!req[key].is_number_integer()) throw HttpError(400, std::string(key) + " must be an integer");
      const long v = req[key].get<long>();
      if (v < lo || v > hi)
        throw HttpError(400, std::string(key) + " must be " + std::to_string(lo) + "-" + std::to_string(hi) + ", not " + std::to_string(v));
      return v;
    };
    if (auto n = integer("max_new_tokens", 0, 4096)) r.decoding.max_new_tokens = static_cast<int>(*n);
    if (auto k = integer("beam", 1, 16)) r.decoding.beam = static_cast<int>(*k);
    if (req.contains("forced_output")) {
      if (!req["forced_output"].is_string()) throw HttpError(400, "forced_output must be a string");
      r.forced_output = req["forced_output"].get<std::string>();
    }
    std::vector<size_t> mask;
    if (req.contains("mask")) {
      if (!req["mask"].is_array()) throw HttpError(400, "mask must be a list of input token positions");
      for (const auto& p : req["mask"]) {
        if (!p.is_number_integer()) throw HttpError(400, "mask positions must be integers");
        const long v = p.get<long>();
        if (v < 0) throw HttpError(400, "mask position " + std::to_string(v) + " is negative");
        mask.push_back(static_cast<size_t>(v));
      }
      if (mask.size() > 4096) throw HttpError(400, "mask lists " + std::to_string(mask.size()) + " positions; at most 4096");
    }
    if (!mask.empty() && r.forced_output) throw HttpError(400, "mask forces the masked run onto the original's output; drop forced_output");
    AttentionSet set;
    Result first;
    try {
      std::lock_guard lock(run_mutex);
      if (mask.empty()) {
        first = model->run(r);
        set = model->to_set({first.run});
      } else {
        MaskExperiment e = run_mask_experiment(*model, r, mask);
        first = std::move(e.original);
        set = std::move(e.set);
      }
    } catch (const std::invalid_argument& e) {
      throw HttpError(400, e.what());
    } catch (const std::out_of_range& e) {
      throw HttpError(400, e.what());
    }
    std::string label = model->info().name + ": " + r.input;
    if (!mask.empty()) {
      nlohmann::json positions = mask;
      set.runs[1].info["mask_placeholder"] = model->info().mask_token;
      label += " (masked " + positions.dump() + ")";
    }
    const int id = sets.add(label, "run", set);
    nlohmann::json d = set_description(*sets.get(id));
    d["id"] = id;
    d["name"] = label;
    d["output"] = first.output;
    d["text"] = first.text;
    d["stopped"] = first.stopped;
    return d;
  }

  std::string figure_svg(const AttentionSet& set, const httplib::Request& req) {
    RenderOptions opt;
    opt.view = str_param(req, "view", "heatmap");
    opt.run = static_cast<int>(int_param(req, "run", 0));
    opt.kind = str_param(req, "kind", "");
    opt.layer = static_cast<int>(int_param(req, "layer", -1));
    opt.head = static_cast<int>(int_param(req, "head", -1));
    opt.colormap = str_param(req, "colormap", "viridis");
    opt.merge = str_param(req, "merge", "none");
    const auto path = std::filesystem::temp_directory_path() /
                      ("attnscope-serve-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".svg");
    try {
      render_figure(set, opt, path.string());
    } catch (const std::invalid_argument& e) {
      throw HttpError(400, e.what());
    }
    std::string svg = read_file(path.string());
    std::filesystem::remove(path);
    return svg;
  }
  std::atomic<int> counter{0};

  // Wraps a handler: client errors become 4xx, anything else 500; always one line of JSON.
  template <typename F>
  httplib::Server::Handler guarded(F f) {
    return [f](const httplib::Request& req, httplib::Response& res) {
      try {
        f(req, res);
      } catch (const HttpError& e) {
        send_error(res, e.status, e.what());
      } catch (const std::out_of_range& e) {
        send_error(res, 404, e.what());
      } catch (const std::length_error& e) {
        send_error(res, 413, e.what());
      } catch (const std::invalid_argument& e) {
        send_error(res, 400, e.what());
      } catch (const std::exception& e) {
        send_error(res, 500, e.what());
      }
    };
  }

  void routes() {
    http.set_payload_max_length(kMaxRequestBytes);
    http.set_keep_alive_timeout(kKeepAliveSeconds);
    http.set_read_timeout(kReadTimeoutSeconds, 0);
    http.set_write_timeout(kReadTimeoutSeconds, 0);
    http.set_keep_alive_max_count(1000);  // httplib's 5 makes a browser reconnect every 5 requests
    http.set_tcp_nodelay(true);
    // httplib's default sets SO_REUSEPORT, which lets a second server bind a port that is in
    // use and share its requests; SO_REUSEADDR alone still allows a restart over TIME_WAIT.
    http.set_socket_options([this](socket_t sock) {
      int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
      listen_socket = sock;  // bind() widens its backlog once httplib has listened on it
    });  // else Nagle + delayed ACK add ~40 ms to every keep-alive answer
    http.new_task_queue = [] { return new ThreadPerConnection(kMaxConnections); };
    // Only this server's own pages may use it: Host, Origin and (beyond loopback) the token.
    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      const RequestGuard::Verdict v = guard.check(req.method, req.path, req.get_header_value("Host"),
                                                  req.get_header_value("Origin"), req.get_header_value("Cookie"),
                                                  req.has_param("token") ? req.get_param_value("token") : "");
      if (v.status) {
        send_error(res, v.status, v.error);
        return httplib::Server::HandlerResponse::Handled;
      }
      if (v.set_cookie) res.set_header("Set-Cookie", "attnscope_token=" + guard.token + "; Path=/; HttpOnly; SameSite=Strict");
      return httplib::Server::HandlerResponse::Unhandled;
    });
    http.Get("/api/info", guarded([this](const auto&, auto& res) { send_json(res, info()); }));
    http.Get("/api/colormaps", guarded([](const auto&, auto& res) { send_json(res, colormaps_json()); }));
    http.Get(R"(/api/sets/(\d{1,9}))", guarded([this](const auto& req, auto& res) {
               nlohmann::json d = set_description(*set_of(req));
               d["id"] = std::stoi(req.matches[1].str());
               send_json(res, d);
             }));
    http.Get(R"(/api/sets/(\d{1,9})/block)", guarded([this](const auto& req, auto& res) {
               auto set = set_of(req);
               const long run = int_param(req, "run", 0);
               if (run < 0) throw HttpError(404, "run must be >= 0");
               Matrix m = block_matrix(*set, static_cast<size_t>(run), str_param(req, "block", "cross.0"),
                                       static_cast<int>(int_param(req, "head", -1)), int_param(req, "merge", 0) != 0);
               const std::string dtype = str_param(req, "dtype", default_dtype(m.rows, m.cols));
               if (dtype != "f32" && dtype != "f16") throw HttpError(400, "dtype must be f32 or f16");
               res.body = encode_matrix(m, dtype);  // moved, not copied: up to 8 MB
               res.set_header("Content-Type", "application/octet-stream");
             }));
    http.Get(R"(/api/sets/(\d{1,9})/thumbs)", guarded([this](const auto& req, auto& res) {
               auto set = set_of(req);
               const long run = int_param(req, "run", 0);
               const long size = int_param(req, "size", static_cast<long>(kThumbSize));
               if (run < 0) throw HttpError(404, "run must be >= 0");
               if (size < 1 || size > static_cast<long>(kMaxThumbRequest)) throw HttpError(400, "size must be 1-" + std::to_string(kMaxThumbRequest));
               res.set_content(*thumbs(std::stoi(req.matches[1].str()), *set, static_cast<size_t>(run),
                                       str_param(req, "kind", "cross"), static_cast<size_t>(size)),
                               "application/octet-stream");
             }));
    // Long heads: an exact tile, a pooled range, a query's strongest keys, a head search.
    http.Get(R"(/api/sets/(\d{1,9})/tile)", guarded([this](const auto& req, auto& res) {
               auto set = set_of(req);
               Matrix m = block_tile(*set, index_param(req, "run", 0), str_param(req, "block", "decoder-self.0"),
                                     index_param(req, "head", 0), index_param(req, "q0", 0), index_param(req, "q1", 1),
                                     index_param(req, "k0", 0), index_param(req, "k1", 1));
               res.body = encode_matrix(m, "f32", {{"q0", int_param(req, "q0", 0)}, {"k0", int_param(req, "k0", 0)}});
               res.set_header("Content-Type", "application/octet-stream");
             }));
    http.Get(R"(/api/sets/(\d{1,9})/pooled)", guarded([this](const auto& req, auto& res) {
               auto set = set_of(req);
               const AttentionBlock& b = find_block(*set, index_param(req, "run", 0), str_param(req, "block", "decoder-self.0"));
               const PoolMode mode = pool_mode(str_param(req, "mode", "max"));
               const size_t q0 = index_param(req, "q0", 0), k0 = index_param(req, "k0", 0);
               const size_t q1 = index_param(req, "q1", static_cast<long>(b.queries)), k1 = index_param(req, "k1", static_cast<long>(b.keys));
               PooledMatrix p = block_pooled(*set, index_param(req, "run", 0), b.name(), index_param(req, "head", 0), q0, q1,
                                             k0, k1, index_param(req, "size", 512), mode);
               res.body = encode_matrix(p.matrix, "f32",
                                        {{"pool", p.pool}, {"mode", pool_name(mode)}, {"q0", q0}, {"q1", q1}, {"k0", k0}, {"k1", k1}});
               res.set_header("Content-Type", "application/octet-stream");
             }));
    http.Get(R"(/api/sets/(\d{1,9})/topkeys)", guarded([this](const auto& req, auto& res) {
               auto set = set_of(req);
               send_json(res, top_keys(*set, index_param(req, "run", 0), str_param(req, "kind", "decoder-self"),
                                       index_param(req, "query", 0), index_param(req, "k", 10)));
             }));
    http.Get(R"(/api/sets/(\d{1,9})/headsearch)", guarded([this](const auto& req, auto& res) {
               auto set = set_of(req);
               send_json(res, head_search(*set, index_param(req, "run", 0), str_param(req, "kind", "decoder-self"),
                                          index_param(req, "a0", 0), index_param(req, "a1", 1), index_param(req, "b0", 0),
                                          index_param(req, "b1", 1), index_param(req, "top", 20)));
             }));
    http.Get(R"(/api/sets/(\d{1,9})/file)", guarded([this](const auto& req, auto& res) {
               res.set_header("Content-Disposition", "attachment; filename=\"attention.attn.safetensors\"");
               res.set_content(attention_set_bytes(*set_of(req)), "application/octet-stream");
             }));
    http.Get(R"(/api/sets/(\d{1,9})/figure\.svg)", guarded([this](const auto& req, auto& res) {
               res.set_content(figure_svg(*set_of(req), req), "image/svg+xml");
             }));
    http.Post("/api/run", guarded([this](const auto& req, auto& res) { send_json(res, run(req.body)); }));
    // The viewer's own files, from the binary.
    // "/" is the bundled page; the separate files stay reachable for debugging (/index.html).
    http.Get("/", [this](const httplib::Request&, httplib::Response& res) {
      res.set_header("Cache-Control", "no-cache");
      res.set_content(page, "text/html; charset=utf-8");
    });
    http.Get(R"(/(.*))", [](const httplib::Request& req, httplib::Response& res) {
      const std::string path = req.matches[1].str();
      if (path.rfind("api/", 0) == 0) return send_error(res, 404, "no such API endpoint: /" + path);
      const WebAsset* a = find_web_asset(path);
      if (!a) return send_error(res, 404, "no such file: /" + path);
      res.set_header("Cache-Control", "no-cache");
      res.set_content(std::string(a->bytes), std::string(content_type_of(path)).c_str());
    });
    http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
      send_error(res, 500, "internal error");
    });
    // Errors httplib answers itself (413 over the body limit, 400 unparsable request line) get
    // the same one line of JSON; errors from the handlers above already have it.
    http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty()) return;
      send_error(res, res.status, res.status == 413 ? "request body over " + std::to_string(kMaxRequestBytes) + " bytes"
                                                    : "bad request (HTTP " + std::to_string(res.status) + ")");
    });
  }
};

ViewerServer::ViewerServer(SetStore& sets, std::vector<std::shared_ptr<const Model>> models, size_t threads)
    : impl_(std::make_unique<Impl>(sets, std::move(models), threads)) {}
ViewerServer::~ViewerServer() = default;

int ViewerServer::bind(const std::string& host, int port) {
  const int bound = port == 0 ? impl_->http.bind_to_any_port(host) : (impl_->http.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) + " (in use, or not an address of this machine)");
  // httplib 0.11 listens with a backlog of 5: a burst of connections (a page's requests beside
  // clients that hold theirs open) overflows it and the kernel drops SYNs, which clients retry
  // only after a second. Listening again on the bound socket raises the backlog.
  if (impl_->listen_socket >= 0) ::listen(impl_->listen_socket, SOMAXCONN);
  impl_->guard.bind_host = host;
  impl_->guard.port = bound;
  return bound;
}

void ViewerServer::require_token(const std::string& token) { impl_->guard.token = token; }
void ViewerServer::listen() { impl_->http.listen_after_bind(); }
void ViewerServer::stop() { impl_->http.stop(); }

}  // namespace attnscope
