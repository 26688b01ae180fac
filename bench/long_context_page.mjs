// The viewer on a long set (thousands of tokens) in headless Chromium, as the web tests launch it
// (Debian's /usr/bin/chromium via playwright-core).
//
//   node bench/long_context_page.mjs URL [--visits 3] [--clicks 5] [--tiles 5]
//
// URL: `attnscope serve` of a long set, e.g. (stories260K at 8,192 tokens, ~10 s):
//   zcat ../shared/data/multi30k/train.en.gz | head -3000 | tr '\n' ' ' | head -c 14300 > /tmp/long8k.txt
//   build/attnscope run --model ../shared/models/stories260K --input-file /tmp/long8k.txt --max-new-tokens 0 --attn /tmp/long.attn.safetensors
//   build/attnscope serve /tmp/long.attn.safetensors --port 8790
//
// Prints one JSON line: {first_paint_ms, tile_ms, whole_head_ms, browser_mb, ...details}.
//  - first_paint_ms: page navigation to the first render drawn (thumbnails and the pooled detail
//    head), window.attnscope.firstRenderAt; median of --visits fresh browser contexts (empty
//    cache; the server keeps its thumbnails between visits, first_paint_cold_ms is the first).
//  - whole_head_ms: click on the thumbnail of a head not yet shown to the end of the render that
//    drew its pooled whole-head detail (/pooled + drawing), timed inside the page; median of --clicks.
//  - tile_ms: window.attnscope.zoomTo of a 512 x 512 window not yet fetched to its exact float32
//    cells drawn (/tile + drawing); median of --tiles windows.
//  - browser_mb: after all of the above, the page's JS heap (CDP Runtime.getHeapUsage, usedSize)
//    plus the resident memory of the page's renderer process (VmRSS from /proc/PID/status; the
//    pid is the renderer among the browser's CDP SystemInfo.getProcessInfo whose CPU time grows
//    while the page spins 300 ms). The heap lives inside the renderer, so this counts it twice:
//    an upper bound. Tile data (typed arrays) is outside the JS heap, inside the renderer's RSS.
import { chromium } from 'playwright-core';
import fs from 'node:fs';

const args = process.argv.slice(2);
const url = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
const opt = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 ? +args[i + 1] : dflt; };
const visits = opt('visits', 3), clicks = opt('clicks', 5), tiles = opt('tiles', 5);
if (!url) { console.error('usage: node bench/long_context_page.mjs URL [--visits N] [--clicks N] [--tiles N]'); process.exit(2); }
const WAIT_MS = 60000;
setTimeout(() => { console.error('long_context_page: ran past 280 s'); process.exit(1); }, 280000).unref();

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : null; };
const round = (x) => (x === null ? null : Math.round(x * 10) / 10);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium', headless: true, timeout: 30000,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'] });

async function open(context) {
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url);
  await page.waitForFunction(() => window.attnscope?.ready && window.attnscope.renders > 0);
  const detail = await page.evaluate(() => !!window.attnscope.detail);
  if (!detail) throw new Error('the page shows no long head (serve a set of thousands of tokens)');
  return { page, errors };
}

// The resident memory (MB) of the page's renderer process (see the header): the browser's CDP
// lists its processes (SystemInfo.getProcessInfo: pid, type, CPU time) but not which renderer
// hosts which page, and headless Chromium also runs renderers for its own UI and a spare one;
// so the page spins for 300 ms and its renderer is the one whose CPU time grew the most.
async function rendererRssMb(page) {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const cpu = async () => new Map((await cdp.send('SystemInfo.getProcessInfo')).processInfo
      .filter((p) => p.type === 'renderer').map((p) => [p.id, p.cpuTime]));
    const before = await cpu();
    await page.evaluate(() => { const end = performance.now() + 300; while (performance.now() < end); });
    const after = await cpu();
    let pid = null, most = -1;
    for (const [id, t] of after) if (t - (before.get(id) ?? 0) > most) { most = t - (before.get(id) ?? 0); pid = id; }
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { pid, mb: +m[1] / 1024 };
  } finally { await cdp.detach(); }
}

try {
  const paints = [];
  let page = null, errors = [], context = null;
  for (let i = 0; i < visits; i++) {
    if (context) await context.close();
    context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    ({ page, errors } = await open(context));
    paints.push(await page.evaluate(() => window.attnscope.firstRenderAt));
  }

  // Heads not yet shown: click their thumbnails, timed inside the page.
  const { layers, heads } = await page.evaluate(() => ({
    layers: document.querySelectorAll('#grid canvas[data-head="0"]').length,
    heads: document.querySelectorAll('#grid canvas[data-layer="0"]').length }));
  const wholeHead = [], inPage = [];
  for (let i = 0; i < clicks; i++) {
    const l = (i * 2 + 1) % layers, h = (i * 3 + 2) % heads;
    const r = await page.evaluate(async ([layer, head]) => {
      const n = window.attnscope.renders, t0 = performance.now();
      document.querySelector(`#grid canvas[data-layer="${layer}"][data-head="${head}"]`).click();
      while (!(window.attnscope.ready && window.attnscope.renders > n)) await new Promise((res) => setTimeout(res, 1));
      await window.attnscope.detailReady;
      return { ms: window.attnscope.lastRenderAt - t0, inPage: window.attnscope.timings.whole_head_ms };
    }, [l, h]);
    wholeHead.push(r.ms); inPage.push(r.inPage);
  }

  // 512 x 512 windows along the diagonal, none fetched before.
  const size = await page.evaluate(() => window.attnscope.detail.view().q1);
  const tileMs = [];
  for (let i = 0; i < tiles; i++) {
    const q0 = Math.max(0, Math.min(size - 512, Math.floor(((i + 1) / (tiles + 1)) * size)));
    const k0 = Math.max(0, q0 - 300);
    const r = await page.evaluate((w) => window.attnscope.zoomTo(w), { q0, q1: q0 + 512, k0, k1: k0 + 512 });
    if (!r.exact) throw new Error(`a 512 x 512 window was not drawn exact: ${JSON.stringify(r)}`);
    tileMs.push(r.ms);
  }

  const cdp = await page.context().newCDPSession(page);
  const heap = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  const renderer = await rendererRssMb(page);
  const heapMb = heap.usedSize / (1 << 20), rssMb = renderer.mb;
  if (errors.length) throw new Error(`page errors: ${errors.join(' | ')}`);
  console.log(JSON.stringify({
    first_paint_ms: round(median(paints)), tile_ms: round(median(tileMs)), whole_head_ms: round(median(wholeHead)),
    browser_mb: round(heapMb + rssMb),
    first_paint_cold_ms: round(paints[0]), first_paints_ms: paints.map(round), tiles_ms: tileMs.map(round),
    whole_heads_ms: wholeHead.map(round), whole_head_in_page_ms: inPage.map(round), js_heap_mb: round(heapMb), renderer_rss_mb: round(rssMb), renderer_pid: renderer.pid,
    tokens: size,
  }));
} finally {
  await browser.close();
}
