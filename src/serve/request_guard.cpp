#include "serve/request_guard.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <stdexcept>

namespace attnscope {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The value of `name` in a Cookie header ("a=1; attnscope_token=xyz"), or "".
std::string cookie_value(const std::string& cookies, const std::string& name) {
  size_t at = 0;
  while (at < cookies.size()) {
    while (at < cookies.size() && (cookies[at] == ' ' || cookies[at] == ';')) ++at;
    const size_t end = std::min(cookies.find(';', at), cookies.size());
    const std::string pair = cookies.substr(at, end - at);
    const size_t eq = pair.find('=');
    if (eq != std::string::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
    at = end + 1;
  }
  return "";
}

// Compares without an early exit, so timing does not tell how much of a guess was right.
bool same_secret(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r' || static_cast<unsigned char>(c) < 0x20) c = ' ';
  return s.size() > 100 ? s.substr(0, 100) + "..." : s;
}

}  // namespace

bool RequestGuard::loopback() const { return bind_host == "127.0.0.1" || bind_host == "localhost" || bind_host == "::1"; }

RequestGuard::Verdict RequestGuard::check(const std::string& method, const std::string& path, const std::string& host,
                                          const std::string& origin, const std::string& cookie,
                                          const std::string& token_param) const {
  Verdict v;
  const std::string p = std::to_string(port);
  const std::string h = lower(host);
  if (loopback()) {
    // DNS rebinding: evil.example resolves to 127.0.0.1, but the browser still sends its name.
    if (!h.empty() && h != "127.0.0.1:" + p && h != "localhost:" + p && h != "[::1]:" + p) {
      v.status = 403;
      v.error = "Host '" + one_line(host) + "' is not this server (it answers 127.0.0.1:" + p + ", localhost:" + p +
                " and [::1]:" + p + ")";
      return v;
    }
  }
  // A page from another site may not change anything or read the API.
  const bool api = path.rfind("/api/", 0) == 0;
  if (!origin.empty() && (method != "GET" || api)) {
    const std::string o = lower(origin);
    const bool own = loopback() ? (o == "http://127.0.0.1:" + p || o == "http://localhost:" + p || o == "http://[::1]:" + p)
                                : (!h.empty() && o == "http://" + h);
    if (!own) {
      v.status = 403;
      v.error = "requests from another site (Origin '" + one_line(origin) + "') are refused";
      return v;
    }
  }
  if (!token.empty()) {
    if (same_secret(token_param, token)) {
      v.set_cookie = cookie_value(cookie, "attnscope_token") != token;
      return v;
    }
    if (!same_secret(cookie_value(cookie, "attnscope_token"), token)) {
      v.status = 403;
      v.error = "this server needs its token: open the address it printed (it ends in ?token=...)";
      return v;
    }
  }
  return v;
}

std::string random_token() {
  std::ifstream in("/dev/urandom", std::ios::binary);
  unsigned char bytes[16];
  if (!in.read(reinterpret_cast<char*>(bytes), sizeof(bytes))) throw std::runtime_error("cannot read /dev/urandom for a token");
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

}  // namespace attnscope
