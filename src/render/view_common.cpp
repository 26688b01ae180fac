#include "render/view_common.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace attnscope {
namespace {

constexpr double kMaxSubtitleWidth = 900;

}  // namespace

std::string layer_numbers(const std::vector<int>& layers) {
  if (layers.empty()) return "none";
  if (layers.size() == 1) return std::to_string(layers.front() + 1);
  if (layers.back() - layers.front() + 1 == static_cast<int>(layers.size()))
    return std::to_string(layers.front() + 1) + "-" + std::to_string(layers.back() + 1);
  std::string s;
  for (int l : layers) s += (s.empty() ? "" : ", ") + std::to_string(l + 1);
  return s;
}

namespace {

// Leading and trailing blanks off, so a caption's spacing is its own (LM continuations start
// with a space).
std::string trimmed(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t\n\r");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t\n\r") - a + 1);
}

}  // namespace

void Notes::add(const std::string& line) {
  if (std::find(lines.begin(), lines.end(), line) == lines.end()) lines.push_back(line);
}

const AttentionRun& pick_run(const ViewContext& ctx, int index) {
  const size_t n = ctx.set.runs.size();
  if (n == 0) throw std::invalid_argument("the attention set has no runs");
  if (index < 0 || static_cast<size_t>(index) >= n)
    throw std::invalid_argument("run " + std::to_string(index) + " out of range (valid 0-" + std::to_string(n - 1) + ")");
  return ctx.set.runs[static_cast<size_t>(index)];
}

AttentionKind pick_kind(const AttentionRun& run, const std::string& kind) {
  if (run.blocks.empty()) throw std::invalid_argument("run has no attention blocks");
  if (kind.empty()) {
    for (const AttentionBlock& b : run.blocks)
      if (b.kind == AttentionKind::Cross) return AttentionKind::Cross;
    return run.blocks.front().kind;
  }
  const AttentionKind k = kind_from_name(kind);
  for (const AttentionBlock& b : run.blocks)
    if (b.kind == k) return k;
  std::vector<std::string> present;
  for (const AttentionBlock& b : run.blocks)
    if (std::find(present.begin(), present.end(), kind_name(b.kind)) == present.end()) present.push_back(kind_name(b.kind));
  std::string list;
  for (const auto& p : present) list += (list.empty() ? "" : ", ") + p;
  throw std::invalid_argument("kind '" + kind + "' is not in the file (it has " + list + ")");
}

std::vector<int> layers_of(const AttentionRun& run, AttentionKind kind) {
  std::vector<int> layers;
  for (const AttentionBlock& b : run.blocks)
    if (b.kind == kind) layers.push_back(b.layer);
  std::sort(layers.begin(), layers.end());
  return layers;
}

const AttentionBlock& pick_block(const AttentionRun& run, AttentionKind kind, int layer) {
  const std::vector<int> layers = layers_of(run, kind);
  if (layers.empty()) throw std::invalid_argument("kind '" + kind_name(kind) + "' is not in the run");
  const int want = layer < 0 ? layers.back() : layer;
  if (const AttentionBlock* b = run.find(kind, want)) return *b;
  // Counted from 1 as the figures and the command line count; the stored name too, for callers
  // that index from 0 (C++, Python).
  throw std::invalid_argument("layer " + std::to_string(layer + 1) + " (block " + kind_name(kind) + "." +
                              std::to_string(layer) + ") out of range for " + kind_name(kind) + " (valid layers " +
                              layer_numbers(layers) + ", counted from 1)");
}

void check_head(const AttentionBlock& block, int head) {
  if (head < -1 || (head >= 0 && static_cast<size_t>(head) >= block.heads))
    throw std::invalid_argument("head " + std::to_string(head + 1) + " (index " + std::to_string(head) +
                                ") out of range for " + block.name() + " (valid heads 1-" + std::to_string(block.heads) +
                                ", counted from 1, or the mean of heads)");
}

namespace {

// Pieces -> words of one axis, by the set's declared convention or the tokens' markers.
WordGroups words_of(const ViewContext& ctx, const std::vector<std::string>& tokens) {
  auto it = ctx.set.meta.find("subword");
  const SubwordStyle style =
      it != ctx.set.meta.end() && !it->second.empty() ? subword_style(it->second) : detect_subword_style(tokens);
  return group_words(tokens, style);
}

}  // namespace

Panel panel_axes(const ViewContext& ctx, const AttentionRun& run, AttentionKind kind, Notes& notes) {
  const std::vector<std::string>& q = run.query_tokens(kind);
  const std::vector<std::string>& k = run.key_tokens(kind);
  Panel p;
  if (!ctx.merge_words) {
    p.rows = q;
    p.cols = k;
    p.row_spans = spans_for_axis(ctx.spans, true, q.size(), {});
    p.col_spans = spans_for_axis(ctx.spans, false, k.size(), {});
    return p;
  }
  const WordGroups rg = words_of(ctx, q), cg = words_of(ctx, k);
  p.rows = rg.words;
  p.cols = cg.words;
  p.row_spans = spans_for_axis(ctx.spans, true, q.size(), rg.word_of_piece);
  p.col_spans = spans_for_axis(ctx.spans, false, k.size(), cg.word_of_piece);
  if (rg.words.size() < q.size() || cg.words.size() < k.size())
    notes.add(kMergeStatement);
  else
    notes.add("no subword pieces to merge in these tokens");
  return p;
}

Panel make_panel(const ViewContext& ctx, const AttentionRun& run, AttentionKind kind, std::vector<float> qk,
                 Notes& notes) {
  Panel p = panel_axes(ctx, run, kind, notes);
  if (!ctx.merge_words) {
    p.m.rows = p.rows.size();
    p.m.cols = p.cols.size();
    p.m.v = std::move(qk);  // long inputs: 4096 x 4096 is 64 MB, so no copies
    return p;
  }
  const WordGroups rg = words_of(ctx, run.query_tokens(kind)), cg = words_of(ctx, run.key_tokens(kind));
  p.m = Matrix(rg.words.size(), cg.words.size());
  p.m.v = merge_pieces(qk.data(), rg, cg);
  return p;
}

Panel make_panel(const ViewContext& ctx, const AttentionRun& run, const AttentionBlock& block, int head, Notes& notes) {
  check_head(block, head);
  if (!block.dense()) {
    // Merging pieces and averaging heads need every weight of the head at once.
    if (block.queries * block.keys > kMaxComputedHeadCells)
      throw std::invalid_argument("block " + block.name() + " is " + std::to_string(block.queries) + " x " +
                                  std::to_string(block.keys) + " per head: merging subwords or averaging heads needs every weight; "
                                  "draw one head (--head N) without --merge, which pools from the recorded queries and keys");
    notes.add(kComputedStatement);
  }
  std::vector<float> qk = head < 0 ? block.mean_of_heads() : block.head_weights(static_cast<size_t>(head));
  if (head < 0 && block.heads > 1) notes.add("weights averaged over " + std::to_string(block.heads) + " heads");
  return make_panel(ctx, run, block.kind, std::move(qk), notes);
}

namespace {

// Cells per axis an extent of `units` can show: one per output pixel (raster), at most
// kMaxCellsPerAxis.
size_t cell_budget(const ViewContext& ctx, double units) {
  if (ctx.px_per_unit <= 0) return kMaxCellsPerAxis;
  return std::clamp<size_t>(static_cast<size_t>(std::floor(units * ctx.px_per_unit)), 1, kMaxCellsPerAxis);
}

}  // namespace

Matrix fit_budget(const ViewContext& ctx, const float* v, size_t rows, size_t cols, double w, double h, Notes& notes,
                  const std::string& what) {
  const size_t fr = pool_factor(rows, cell_budget(ctx, h)), fc = pool_factor(cols, cell_budget(ctx, w));
  if (fr > 1 || fc > 1)
    notes.add((what.empty() ? "" : what + ": ") + "pooled " + std::to_string(fr) + "x" + std::to_string(fc) +
              " cells into one (" + pool_name(ctx.pool) + ") to fit the image");
  return pool(v, rows, cols, fr, fc, ctx.pool);
}

Matrix fit_budget(const ViewContext& ctx, const Matrix& m, double w, double h, Notes& notes, const std::string& what) {
  const size_t fr = pool_factor(m.rows, cell_budget(ctx, h)), fc = pool_factor(m.cols, cell_budget(ctx, w));
  if (fr == 1 && fc == 1) return m;
  return fit_budget(ctx, m.v.data(), m.rows, m.cols, w, h, notes, what);
}

Matrix pooled_head(const ViewContext& ctx, const AttentionRun& run, const AttentionBlock& block, int head, double w,
                   double h, Notes& notes, float& lo, float& hi, const std::string& what) {
  check_head(block, head);
  if (!block.dense() && !ctx.merge_words && (head >= 0 || block.heads == 1)) {
    // Long inputs: pooled straight from the recorded queries and keys, in bounded memory. Many
    // small panels (thumbnails) take whole thumbnail cells; one large panel computes its cells.
    const size_t hh = static_cast<size_t>(std::max(head, 0));
    size_t p = std::max(pool_factor(block.queries, cell_budget(ctx, h)), pool_factor(block.keys, cell_budget(ctx, w)));
    if (what == "thumbnails" || block.queries * block.keys > kMaxComputedHeadCells) p = block.thumbnail_aligned(p);
    Pooled shown = block.pooled(hh, 0, block.queries, 0, block.keys, p, ctx.pool);
    lo = 0.0f;  // every head of a causal block has masked (zero) cells; a full one is shown from 0
    hi = 0.0f;
    const Pooled& peak = ctx.pool == PoolMode::Max ? shown : block.pooled(hh, 0, block.queries, 0, block.keys,
                                                                          block.thumbnail_aligned(p), PoolMode::Max);
    for (float v : peak.values) hi = std::max(hi, v);
    if (p > 1)
      notes.add((what.empty() ? "" : what + ": ") + "pooled " + std::to_string(p) + "x" + std::to_string(p) +
                " cells into one (" + pool_name(ctx.pool) + ") to fit the image");
    notes.add(kComputedStatement);
    Matrix m(shown.rows, shown.cols);
    m.v = std::move(shown.values);
    return m;
  }
  if (!ctx.merge_words && (head >= 0 || block.heads == 1)) {
    const float* v = block.row(static_cast<size_t>(std::max(head, 0)), 0);
    value_range(v, block.queries * block.keys, lo, hi);
    return fit_budget(ctx, v, block.queries, block.keys, w, h, notes, what);
  }
  const Panel p = make_panel(ctx, run, block, head, notes);
  value_range(p.m, lo, hi);
  return fit_budget(ctx, p.m, w, h, notes, what);
}

ColorScale make_scale(const ViewContext& ctx, float lo, float hi, Notes& notes) {
  ColorScale s{&ctx.cmap, ctx.opt.vmin.value_or(lo), ctx.opt.vmax.value_or(hi)};
  if (!(s.vmax > s.vmin)) {
    // Constant data: widen the range so the colour bar still has an extent.
    if (ctx.opt.vmax) s.vmin = s.vmax - 1.0f;
    else s.vmax = s.vmin + (s.vmin == 0.0f ? 1.0f : std::fabs(s.vmin));
  }
  if ((ctx.opt.vmin || ctx.opt.vmax) && (lo < s.vmin || hi > s.vmax))
    notes.add("colours clipped to " + short_number(s.vmin) + "–" + short_number(s.vmax) + " (data range " + short_number(lo) + "–" + short_number(hi) + ")");
  return s;
}

ColorScale diverging_scale(float lo, float hi) {
  float m = std::max(std::fabs(lo), std::fabs(hi));
  if (m == 0.0f) m = 1.0f;
  return {&colormap(kDivergingColormap), -m, m};
}

std::string axis_title(AttentionKind kind, bool rows) {
  switch (kind) {
    case AttentionKind::Cross: return rows ? "output (queries)" : "input (keys)";
    case AttentionKind::EncoderSelf: return rows ? "input (queries)" : "input (keys)";
    case AttentionKind::DecoderSelf: return rows ? "output (queries)" : "output (keys)";
  }
  return "";
}

std::string layer_phrase(const AttentionBlock& block) { return "layer " + std::to_string(block.layer + 1); }

std::string head_phrase(const AttentionBlock& block, int head) {
  if (head >= 0) return "head " + std::to_string(head + 1);
  return block.heads == 1 ? "1 head" : "mean of " + std::to_string(block.heads) + " heads";
}

std::string all_heads_phrase(size_t heads) {
  return heads == 1 ? "1 head" : "all " + std::to_string(heads) + " heads";
}

void note_numbering(Notes& notes, const AttentionBlock& block) {
  notes.add("layers and heads are counted from 1 (" + layer_phrase(block) + " is the stored block " + block.name() +
            ")");
}

std::string short_number(double v) {
  if (std::fabs(v) < 5e-4) return "0";  // float noise like 4e-28 reads as zero
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

std::string run_caption(const AttentionRun& run) {
  const std::string in = trimmed(run.input_text), out = trimmed(run.output_text);
  if (!in.empty() && !out.empty()) return in + " → " + out;
  if (!in.empty()) return in;
  return run.name;
}

double draw_header(cairo_t* cr, const ViewContext& ctx, const std::string& automatic, const std::string& subtitle,
                   double y, double& width) {
  const std::string title = ctx.opt.title.empty() ? automatic : ctx.opt.title;
  set_font(cr, kTitleFont, true);
  set_color(cr, ctx.theme.text);
  draw_text(cr, title, kMargin, y, HAlign::Left, VAlign::Top);
  width = std::max(width, kMargin + text_width(cr, title));
  y += font_height(cr) + 4;
  if (!subtitle.empty()) {
    set_font(cr, kSubtitleFont);
    set_color(cr, ctx.theme.muted);
    const std::string s = fit_text(cr, subtitle, kMaxSubtitleWidth);
    draw_text(cr, s, kMargin, y, HAlign::Left, VAlign::Top);
    width = std::max(width, kMargin + text_width(cr, s));
    y += font_height(cr) + 2;
  }
  return y + 12;
}

double draw_notes(cairo_t* cr, const ViewContext& ctx, const Notes& notes, double y, double& width) {
  std::vector<std::string> lines = notes.lines;
  auto it = ctx.set.meta.find("transforms");
  if (it != ctx.set.meta.end() && !it->second.empty())
    lines.push_back("the stored weights were already transformed: " + it->second);
  // A run that recorded some heads only (run --heads): block head i is model head heads[i], so
  // say which model heads the numbers stand for.
  for (const auto& run : ctx.set.runs)
    if (auto h = run.info.find("heads"); h != run.info.end() && !h->second.empty()) {
      std::string model_heads, drawn;
      size_t n = 0, start = 0;
      while (start <= h->second.size()) {
        const size_t comma = std::min(h->second.find(',', start), h->second.size());
        const std::string item = h->second.substr(start, comma - start);
        if (item.empty() || item.find_first_not_of("0123456789") != std::string::npos || item.size() > 9) break;
        model_heads += (n ? ", " : "") + std::to_string(std::stoi(item) + 1);
        ++n;
        start = comma + 1;
      }
      const std::string line = "recorded the model's heads " + model_heads + " only, drawn as heads 1-" + std::to_string(n);
      if (n > 0 && std::find(lines.begin(), lines.end(), line) == lines.end()) lines.push_back(line);
    }
  // A model run past the length it was trained on (RoPE): its attention is real, its output not.
  for (const auto& run : ctx.set.runs)
    if (auto b = run.info.find("beyond_training"); b != run.info.end() &&
        std::find(lines.begin(), lines.end(), b->second) == lines.end())
      lines.push_back(b->second);
  if (ctx.notes_out) *ctx.notes_out = lines;
  if (lines.empty()) return y;
  y += 8;
  set_font(cr, kNoteFont);
  set_color(cr, ctx.theme.muted);
  for (const std::string& line : lines) {
    const std::string s = "· " + line;
    draw_text(cr, s, kMargin, y, HAlign::Left, VAlign::Top);
    width = std::max(width, kMargin + text_width(cr, s));
    y += font_height(cr) + 2;
  }
  return y;
}

}  // namespace attnscope
