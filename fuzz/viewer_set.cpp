// Fuzz target: the viewer's answers about a set that came from a file. Input: attention JSON (any
// set that import accepts, io/attention_json.h) | API requests, one per line
// ("endpoint?key=value&..."). The set is described (set_description), every request answered
// (viewer_response), and the whole page built (viewer_html), as `attnscope serve FILE` and
// `attnscope export --html` do with a file a stranger sent.
#include <cstdint>
#include <exception>
#include <map>
#include <sstream>
#include <string>

#include "fuzz/fuzz_util.h"
#include "io/attention_import.h"
#include "io/attention_json.h"
#include "serve/html_export.h"
#include "serve/viewer_data.h"

using namespace attnscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto parts = fuzz::split_parts({reinterpret_cast<const char*>(data), size}, 2);
  AttentionSet set;
  try {
    ImportOptions opt;
    opt.index_tokens = true;
    set = build_attention_set(parse_attention_json(parts[0], "input.json"), opt, "input.json");
  } catch (const std::exception& e) {
    fuzz::note(e);
    return 0;
  }
  (void)set_description(set).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::istringstream requests(parts.size() > 1 ? parts[1] : std::string("thumbs?kind=encoder-self\nblock?block=encoder-self.0&merge=1\n"));
  for (std::string request; std::getline(requests, request);) {
    std::string endpoint;
    const std::map<std::string, std::string> params = fuzz::split_request(request, endpoint);
    try {
      (void)viewer_response(set, endpoint, params);
    } catch (const std::exception& e) {
      fuzz::note(e);
    }
  }
  try {
    (void)viewer_html(set, "fuzz", size % 2 == 0);
  } catch (const std::exception& e) {
    fuzz::note(e);
  }
  return 0;
}
