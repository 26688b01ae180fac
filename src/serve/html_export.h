// One self-contained HTML page: the viewer with an AttentionSet embedded, working offline from
// file:// (no fetches). The page carries the exact API responses the server would send for the
// set (same bytes, keyed by the same URLs), base64-encoded, and the viewer's JS modules bundled
// into one inline module (browsers refuse module imports from file://).
#pragma once

#include <map>
#include <string>

#include "core/attention_set.h"

namespace attnscope {

// all_heads false: only the set's description, its thumbnails and the head drawn first are
// embedded (a page of any length); the viewer asks `remote` + URL for the rest ("" : nowhere, and
// says so), which is how the Python kernel serves large sets to attnscope.show().
std::string viewer_html(const AttentionSet& set, const std::string& title, bool all_heads = true,
                        const std::string& remote = "");

// One API response about a set without a server, the same bytes `attnscope serve` sends: endpoint
// "block", "thumbs", "tile", "pooled", "topkeys" or "headsearch", with the request's parameters.
// Throws std::invalid_argument / std::out_of_range naming a bad parameter.
std::string viewer_response(const AttentionSet& set, const std::string& endpoint,
                            const std::map<std::string, std::string>& params);

// The viewer as one page with no data (what the server sends for "/"): the same CSS and bundled
// modules, inline, so the page loads in one request instead of a waterfall of module imports.
std::string viewer_page();
void export_html(const AttentionSet& set, const std::string& path);  // atomic

// The viewer's modules, entry `entry` (e.g. "js/main.js") and everything it imports, as one
// script: each module wrapped in a function scope, imports bound to the exporting module's
// names. Supports the subset the viewer uses: one-line `import { a, b } from './x.js';` and
// `export function|async function|const|let|class name`. Throws naming an unknown import.
std::string bundle_modules(const std::string& entry);

}  // namespace attnscope
