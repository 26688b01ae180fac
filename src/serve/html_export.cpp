#include "serve/html_export.h"

#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

#include "io/atomic_file.h"
#include "io/attention_file.h"
#include "serve/viewer_data.h"
#include "serve/web_assets.h"

namespace attnscope {
namespace {

std::string base64(std::string_view in) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], t[v & 63]};
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += {t[v >> 18], t[(v >> 12) & 63], i + 1 < in.size() ? t[(v >> 6) & 63] : '=', '='};
  }
  return out;
}

std::string asset(const std::string& path) {
  const WebAsset* a = find_web_asset(path);
  if (!a) throw std::runtime_error("viewer asset " + path + " is missing from this build");
  return std::string(a->bytes);
}

std::string module_var(const std::string& path) {
  std::string v = "__m_";
  for (char c : path) v += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return v;
}

// Tokens that are not valid UTF-8 (byte pieces) are shown with U+FFFD rather than failing.
constexpr auto kReplace = nlohmann::json::error_handler_t::replace;

// Every response the viewer can ask for about set 0, by the URL it asks with.
nlohmann::json responses(const AttentionSet& set, const std::string& name) {
  // The page holds every head whole; a long set needs the server, which computes what is asked.
  for (const auto& run : set.runs)
    for (const auto& b : run.blocks)
      if (!b.dense() && b.queries * b.keys > kMaxWholeHeadCells)
        throw std::invalid_argument("a self-contained page holds every head whole, and " + b.name() + " is " +
                                    std::to_string(b.queries) + " x " + std::to_string(b.keys) +
                                    " per head: open this long set with 'attnscope serve FILE' instead");
  nlohmann::json r = nlohmann::json::object();
  nlohmann::json d = set_description(set);
  d["id"] = 0;
  d["name"] = name;
  r["/api/info"] = base64(nlohmann::json({{"version", kViewerDataVersion},
                                          {"mode", "embedded"},
                                          {"models", nlohmann::json::array()},
                                          {"sets", {{{"id", 0}, {"name", name}, {"origin", "file"}, {"runs", set.runs.size()}}}}})
                              .dump(-1, ' ', false, kReplace));
  r["/api/colormaps"] = base64(colormaps_json().dump());
  r["/api/sets/0"] = base64(d.dump(-1, ' ', false, kReplace));
  const bool mergeable = d["subword"] != "none";
  for (size_t ri = 0; ri < set.runs.size(); ++ri) {
    std::set<std::string> kinds;
    for (const auto& b : set.runs[ri].blocks) {
      kinds.insert(kind_name(b.kind));
      for (int h = -1; h < static_cast<int>(b.heads); ++h)
        for (int merge = 0; merge <= (mergeable ? 1 : 0); ++merge) {
          Matrix m = block_matrix(set, ri, b.name(), h, merge);
          r["/api/sets/0/block?run=" + std::to_string(ri) + "&block=" + b.name() + "&head=" + std::to_string(h) +
            "&merge=" + std::to_string(merge)] = base64(encode_matrix(m, default_dtype(m.rows, m.cols)));
        }
    }
    for (const auto& k : kinds)
      r["/api/sets/0/thumbs?run=" + std::to_string(ri) + "&kind=" + k] =
          base64(encode_thumbnails(set, ri, k, kThumbSize));
  }
  return r;
}

}  // namespace

std::string bundle_modules(const std::string& entry) {
  static const std::regex import_re(R"(^import \{([^}]*)\} from '([^']+)';\s*$)");
  static const std::regex export_re(R"(^export (async function|function|const|let|class) ([A-Za-z_$][\w$]*))");
  std::vector<std::string> order;
  std::set<std::string> visiting, done;
  std::map<std::string, std::string> code;
  std::function<void(const std::string&)> visit = [&](const std::string& path) {
    if (done.count(path)) return;
    if (visiting.count(path)) throw std::runtime_error("import cycle through " + path);
    visiting.insert(path);
    std::istringstream in(asset(path));
    std::string body, exports, line;
    const std::filesystem::path dir = std::filesystem::path(path).parent_path();
    for (std::smatch m; std::getline(in, line);) {
      if (std::regex_match(line, m, import_re)) {
        const std::string dep = (dir / m[2].str()).lexically_normal().generic_string();
        visit(dep);
        body += "const {" + m[1].str() + "} = " + module_var(dep) + ";\n";
        continue;
      }
      if (line.rfind("import ", 0) == 0) throw std::runtime_error(path + ": unsupported import: " + line);
      if (std::regex_search(line, m, export_re)) {
        exports += m[2].str() + ", ";
        line = line.substr(7);
      }
      body += line + "\n";
    }
    code[path] = "const " + module_var(path) + " = (() => {\n" + body + "return { " + exports + "};\n})();\n";
    order.push_back(path);
    visiting.erase(path);
    done.insert(path);
  };
  visit(entry);
  std::string out;
  for (const auto& p : order) out += code[p];
  return out;
}

namespace {

void replace_once(std::string& html, const std::string& what, const std::string& with) {
  const size_t at = html.find(what);
  if (at == std::string::npos) throw std::runtime_error("index.html lacks " + what);
  html.replace(at, what.size(), with);
}

// index.html with style.css inline and the module script replaced by `data_script` (may be
// empty) and the bundled modules inline.
std::string inline_page(const std::string& data_script) {
  std::string html = asset("index.html");
  replace_once(html, "<link rel=\"stylesheet\" href=\"style.css\">", "<style>\n" + asset("style.css") + "</style>");
  // "</script" cannot occur inside an inline script; the viewer's code never writes it, so only
  // guard against it instead of escaping.
  std::string js = bundle_modules("js/main.js");
  if (js.find("</script") != std::string::npos) throw std::runtime_error("viewer code contains </script");
  replace_once(html, "<script type=\"module\" src=\"js/main.js\"></script>",
               data_script + "<script type=\"module\">\n" + js + "</script>");
  return html;
}

}  // namespace

std::string viewer_page() { return inline_page(""); }

std::string viewer_html(const AttentionSet& set, const std::string& title) {
  set.validate();
  const auto model = set.meta.find("model");
  const std::string name = model != set.meta.end() && !model->second.empty() ? model->second : title;
  nlohmann::json blob = {{"version", kViewerDataVersion}, {"responses", responses(set, name)}};
  std::string html = inline_page("<script id=\"attnscope-data\" type=\"application/json\">" + blob.dump() + "</script>\n");
  std::string safe_title;
  for (char c : title) safe_title += c == '<' ? std::string("&lt;") : c == '&' ? std::string("&amp;") : std::string(1, c);
  replace_once(html, "<title>attnscope</title>", "<title>attnscope: " + safe_title + "</title>");
  return html;
}

void export_html(const AttentionSet& set, const std::string& path) {
  write_file_atomic(path, viewer_html(set, std::filesystem::path(path).filename().string()));
}

}  // namespace attnscope
