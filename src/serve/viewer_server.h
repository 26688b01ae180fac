// `attnscope serve`: the viewer's files and its JSON + binary API over HTTP (docs/viewer.md).
// Bad requests get 4xx and one line of JSON ({"error": "..."}), never a crash. Model runs (any
// Model: trained, BERT, GPT-2, Llama, Marian) are serialised with a mutex (libtorch modules are not re-entrant); everything else runs in parallel.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "models/model.h"
#include "serve/set_store.h"

namespace attnscope {

class ViewerServer {
 public:
  // `models`: any models (Model::load), listed by ModelInfo::name; `threads`: CPU threads one
  // request may use (thumbnail pooling; model runs use what serve --threads gave the engine).
  ViewerServer(SetStore& sets, std::vector<std::shared_ptr<const Model>> models, size_t threads = 1);
  ~ViewerServer();

  // Binds host:port (port 0: any free port) and returns the port; throws naming host and port.
  // From then on only requests for this server's own address are answered
  // (serve/request_guard.h): a foreign Host or Origin gets 403.
  int bind(const std::string& host, int port);
  // Every request must carry `token` (?token= once, then a cookie): for servers that listen beyond
  // this machine. Call before listen().
  void require_token(const std::string& token);
  void listen();  // serves until stop(); returns after it
  void stop();    // safe from any thread

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace attnscope
