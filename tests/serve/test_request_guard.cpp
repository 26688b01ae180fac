// The viewer answers only its own pages: DNS rebinding (a foreign Host), simple cross-origin
// POSTs and API reads (a foreign Origin), and requests without the token when it listens beyond
// this machine are refused; scripts without an Origin keep working.
#include <gtest/gtest.h>

#include "serve/request_guard.h"

using namespace attnscope;

namespace {
RequestGuard loopback() { return RequestGuard{"127.0.0.1", 18901, ""}; }
int status(const RequestGuard& g, const std::string& method, const std::string& path, const std::string& host,
           const std::string& origin = "", const std::string& cookie = "", const std::string& token = "") {
  return g.check(method, path, host, origin, cookie, token).status;
}
}  // namespace

TEST(RequestGuard, LoopbackAnswersOnlyItsOwnHostNames) {
  const RequestGuard g = loopback();
  for (const std::string host : {"127.0.0.1:18901", "localhost:18901", "LOCALHOST:18901", "[::1]:18901", ""})
    EXPECT_EQ(status(g, "GET", "/api/info", host), 0) << host;
  for (const std::string host : {"evil.example:18901", "127.0.0.1:80", "127.0.0.1", "localhost.evil.example:18901"})
    EXPECT_EQ(status(g, "GET", "/api/info", host), 403) << host;
  const auto v = g.check("GET", "/", "evil.example:18901", "", "", "");
  EXPECT_NE(v.error.find("evil.example:18901"), std::string::npos);
  EXPECT_EQ(g.check("GET", "/", "evil\nx", "", "", "").error.find('\n'), std::string::npos);
}

TEST(RequestGuard, ForeignOriginsCannotPostOrReadTheApi) {
  const RequestGuard g = loopback();
  const std::string host = "127.0.0.1:18901";
  EXPECT_EQ(status(g, "POST", "/api/run", host, "http://evil.example"), 403);
  EXPECT_EQ(status(g, "GET", "/api/sets/0/file", host, "http://evil.example"), 403);
  EXPECT_EQ(status(g, "POST", "/api/run", host, "null"), 403);  // sandboxed frames and file:// pages
  EXPECT_EQ(status(g, "POST", "/api/run", host, "http://127.0.0.1:18901"), 0);
  EXPECT_EQ(status(g, "POST", "/api/run", host, "http://localhost:18901"), 0);
  EXPECT_EQ(status(g, "POST", "/api/run", host), 0);                           // curl, scripts: no Origin
  EXPECT_EQ(status(g, "GET", "/js/main.js", host, "http://evil.example"), 0);  // static files: nothing to steal
}

TEST(RequestGuard, BeyondLoopbackEveryRequestCarriesTheToken) {
  const RequestGuard g{"0.0.0.0", 8080, "0123456789abcdef0123456789abcdef"};
  const std::string host = "192.168.1.5:8080";
  EXPECT_EQ(status(g, "GET", "/", host), 403);
  const auto first = g.check("GET", "/", host, "", "", g.token);
  EXPECT_EQ(first.status, 0);
  EXPECT_TRUE(first.set_cookie);
  EXPECT_EQ(status(g, "GET", "/api/info", host, "", "other=1; attnscope_token=" + g.token), 0);
  EXPECT_EQ(status(g, "GET", "/api/info", host, "", "attnscope_token=0123456789abcdef0123456789abcdee"), 403);
  EXPECT_EQ(status(g, "GET", "/api/info", host, "", "", "wrong"), 403);
  // Same-origin POSTs from the page pass; another site's do not, token or not.
  EXPECT_EQ(status(g, "POST", "/api/run", host, "http://192.168.1.5:8080", "attnscope_token=" + g.token), 0);
  EXPECT_EQ(status(g, "POST", "/api/run", host, "http://evil.example", "attnscope_token=" + g.token), 403);
}

TEST(RequestGuard, TokensAreRandomHex) {
  const std::string a = random_token(), b = random_token();
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
}
