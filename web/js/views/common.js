// Small helpers every view shares: which tokens are on a block's axes, and block names.
export function blockName(kind, layer) { return `${kind}.${layer}`; }

// Query and key tokens of a block of `kind` (attention_set.h: cross = target x source).
export function axisTokens(run, kind, merge) {
  const src = merge ? run.source_words : run.source_tokens;
  const tgt = merge ? run.target_words : run.target_tokens;
  if (kind === 'encoder-self') return { rows: src, cols: src };
  if (kind === 'decoder-self') return { rows: tgt, cols: tgt };
  return { rows: tgt, cols: src };
}

export function findBlock(run, kind, layer) { return run.blocks.find((b) => b.kind === kind && b.layer === layer); }

export function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  Object.assign(e, props);
  e.append(...children);
  return e;
}

// One colour per head (categorical, 12 before repeating).
export const HEAD_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b',
  '#e377c2', '#7f7f7f', '#bcbd22', '#17becf', '#393b79', '#637939'];

// Heads read piecewise (src/serve: /pooled, /tile) rather than whole: query-key blocks (weights
// computed on request) and any head over LONG_TOKENS a side.
export const LONG_TOKENS = 1024;
export function isLong(block) { return !!block && (block.form === 'query-key' || Math.max(block.queries, block.keys) > LONG_TOKENS); }

// Whether /block serves the whole head: the server computes query-key heads whole only up to
// 2048 x 2048 cells (src/serve/viewer_data.h kMaxWholeHeadCells), and answers 413 beyond.
export function servedWhole(block) { return !block || block.form !== 'query-key' || block.queries * block.keys <= 2048 * 2048; }
