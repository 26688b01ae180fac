// The viewer's files (web/), compiled into the binary so `attnscope serve` and `export --html`
// need nothing beside the executable. The table is generated at build time by
// embed_assets.cmake from the files under web/.
#pragma once

#include <string_view>
#include <vector>

namespace attnscope {

struct WebAsset {
  std::string_view path;   // relative to web/, e.g. "index.html", "js/views/overview.js"
  std::string_view bytes;  // the file's contents
};

const std::vector<WebAsset>& web_assets();                // every file, generated
const WebAsset* find_web_asset(std::string_view path);    // nullptr when absent
std::string_view content_type_of(std::string_view path);  // by extension; "application/octet-stream" otherwise

}  // namespace attnscope
