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

// The viewer's long-head threshold (web/js/views/common.js LONG_TOKENS): such heads are read in
// pooled ranges and tiles, never whole.
constexpr size_t kLongTokens = 1024;

// The URL of the head the viewer draws first: head 1 of layer 1 (else the last layer) of
// cross-attention, or of the run's first kind (web/js/main.js syncControls); empty when that head
// is long.
std::string first_head_url(const AttentionSet& set) {
  if (set.runs.empty() || set.runs[0].blocks.empty()) return "";
  const auto& blocks = set.runs[0].blocks;
  std::string kind = kind_name(blocks[0].kind);
  for (const auto& b : blocks)
    if (kind_name(b.kind) == "cross") kind = "cross";
  const AttentionBlock* last = nullptr;  // layer 0 once seen, else the highest
  for (const auto& b : blocks)
    if (kind_name(b.kind) == kind && (!last || (last->layer != 0 && (b.layer == 0 || b.layer > last->layer)))) last = &b;
  if (!last || std::max(last->queries, last->keys) > kLongTokens || !last->dense()) return "";
  return "/api/sets/0/block?run=0&block=" + last->name() + "&head=0&merge=0";
}

// Every response the viewer can ask for about set 0, by the URL it asks with; with all_heads
// false, only the description, the thumbnails and the head drawn first (the rest is asked of the
// page's remote, see viewer_html).
nlohmann::json responses(const AttentionSet& set, const std::string& name, bool all_heads) {
  // The page holds every head whole; a long set needs the server, which computes what is asked.
  for (const auto& run : set.runs)
    for (const auto& b : run.blocks)
      if (all_heads && !b.dense() && b.queries * b.keys > kMaxWholeHeadCells)
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
  const std::string first = all_heads ? "" : first_head_url(set);
  for (size_t ri = 0; ri < set.runs.size(); ++ri) {
    std::set<std::string> kinds;
    for (const auto& b : set.runs[ri].blocks) {
      kinds.insert(kind_name(b.kind));
      if (!all_heads) {
        if (ri == 0 && !first.empty() && first.find("block=" + b.name() + "&") != std::string::npos)
          r[first] = base64(encode_matrix(block_matrix(set, 0, b.name(), 0, false), default_dtype(b.queries, b.keys)));
        continue;
      }
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

std::string viewer_html(const AttentionSet& set, const std::string& title, bool all_heads, const std::string& remote) {
  set.validate();
  const auto model = set.meta.find("model");
  const std::string name = model != set.meta.end() && !model->second.empty() ? model->second : title;
  nlohmann::json blob = {{"version", kViewerDataVersion}, {"responses", responses(set, name, all_heads)}};
  if (!remote.empty()) blob["remote"] = remote;
  std::string html = inline_page("<script id=\"attnscope-data\" type=\"application/json\">" + blob.dump() + "</script>\n");
  std::string safe_title;
  for (char c : title) safe_title += c == '<' ? std::string("&lt;") : c == '&' ? std::string("&amp;") : std::string(1, c);
  replace_once(html, "<title>attnscope</title>", "<title>attnscope: " + safe_title + "</title>");
  return html;
}

namespace {
const std::string& param(const std::map<std::string, std::string>& p, const std::string& key, const std::string& dflt) {
  const auto it = p.find(key);
  return it == p.end() ? dflt : it->second;
}
size_t index(const std::map<std::string, std::string>& p, const std::string& key, size_t dflt) {
  const auto it = p.find(key);
  if (it == p.end()) return dflt;
  size_t used = 0;
  long v = -1;
  try { v = std::stol(it->second, &used); } catch (const std::exception&) {}
  if (v < 0 || used != it->second.size()) throw std::invalid_argument(key + " must be an integer >= 0, not '" + it->second + "'");
  return static_cast<size_t>(v);
}
}  // namespace

std::string viewer_response(const AttentionSet& set, const std::string& endpoint,
                            const std::map<std::string, std::string>& p) {
  const size_t run = index(p, "run", 0);
  if (endpoint == "block") {
    Matrix m = block_matrix(set, run, param(p, "block", "cross.0"), std::stoi(param(p, "head", "-1")), param(p, "merge", "0") != "0");
    return encode_matrix(m, default_dtype(m.rows, m.cols));
  }
  if (endpoint == "thumbs") return encode_thumbnails(set, run, param(p, "kind", "cross"), index(p, "size", kThumbSize));
  if (endpoint == "tile") {
    Matrix m = block_tile(set, run, param(p, "block", "decoder-self.0"), index(p, "head", 0), index(p, "q0", 0),
                          index(p, "q1", 1), index(p, "k0", 0), index(p, "k1", 1));
    return encode_matrix(m, "f32", {{"q0", index(p, "q0", 0)}, {"k0", index(p, "k0", 0)}});
  }
  if (endpoint == "pooled") {
    const AttentionBlock& b = find_block(set, run, param(p, "block", "decoder-self.0"));
    const PoolMode mode = pool_mode(param(p, "mode", "max"));
    const size_t q0 = index(p, "q0", 0), k0 = index(p, "k0", 0), q1 = index(p, "q1", b.queries), k1 = index(p, "k1", b.keys);
    PooledMatrix pm = block_pooled(set, run, b.name(), index(p, "head", 0), q0, q1, k0, k1, index(p, "size", 512), mode);
    return encode_matrix(pm.matrix, "f32",
                         {{"pool", pm.pool}, {"mode", pool_name(mode)}, {"q0", q0}, {"q1", q1}, {"k0", k0}, {"k1", k1}});
  }
  if (endpoint == "topkeys")
    return top_keys(set, run, param(p, "kind", "decoder-self"), index(p, "query", 0), index(p, "k", 10)).dump(-1, ' ', false, kReplace);
  if (endpoint == "headsearch")
    return head_search(set, run, param(p, "kind", "decoder-self"), index(p, "a0", 0), index(p, "a1", 1), index(p, "b0", 0),
                       index(p, "b1", 1), index(p, "top", 20))
        .dump(-1, ' ', false, kReplace);
  throw std::invalid_argument("unknown viewer request '" + endpoint + "'");
}

void export_html(const AttentionSet& set, const std::string& path) {
  write_file_atomic(path, viewer_html(set, std::filesystem::path(path).filename().string()));
}

}  // namespace attnscope
