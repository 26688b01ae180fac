#include "serve/web_assets.h"

namespace attnscope {

const WebAsset* find_web_asset(std::string_view path) {
  for (const auto& a : web_assets())
    if (a.path == path) return &a;
  return nullptr;
}

std::string_view content_type_of(std::string_view path) {
  auto ends = [&](std::string_view ext) { return path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext; };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js") || ends(".mjs")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".json")) return "application/json";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  return "application/octet-stream";
}

}  // namespace attnscope
