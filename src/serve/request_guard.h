// Which requests the viewer's server answers: only its own pages. A web page on another site can
// otherwise drive a local server through DNS rebinding (a foreign Host header) or a "simple"
// cross-origin POST that browsers send without a preflight (a foreign Origin header); Jupyter
// guards its server the same way. Torch-free and pure, so every rule is unit-tested.
#pragma once

#include <string>

namespace attnscope {

struct RequestGuard {
  std::string bind_host;  // what the server listens on: "127.0.0.1", "localhost", "::1", "0.0.0.0", ...
  int port = 0;           // the bound port
  std::string token;      // required on every request when the server listens beyond loopback

  bool loopback() const;  // bound to 127.0.0.1, localhost or ::1

  struct Verdict {
    int status = 0;     // 0: answer the request; else the HTTP status to refuse it with
    std::string error;  // one line, for the JSON error
    bool set_cookie = false;  // the request carried the right ?token=: remember it in a cookie
  };
  // host/origin/cookie: the request's Host, Origin and Cookie headers ("" when absent);
  // token_param: its ?token= value ("" when absent). Requests without an Origin (curl, scripts)
  // pass the Origin rule; loopback servers accept only their own Host names.
  Verdict check(const std::string& method, const std::string& path, const std::string& host, const std::string& origin,
                const std::string& cookie, const std::string& token_param) const;
};

// 32 hex digits from the system's random source (/dev/urandom).
std::string random_token();

}  // namespace attnscope
