// The viewer on BERT, a language model and Marian, driven as a user would in headless Chromium
// (Debian's /usr/bin/chromium via playwright-core). usage: node models.test.mjs URL LM_NAME SHOT_DIR
import { assert, openBrowser } from './harness.mjs';

const [url, lmName, shots] = process.argv.slice(2);
const { page, consoleErrors, check, ready, renders, shot, finish } =
  await openBrowser({ shots, waitMs: 15000, defaultLimitS: 100, viewport: { width: 1400, height: 1000 } });
const currentSet = () => page.evaluate(async () => window.attnscope.api.set(window.attnscope.state.setId));

// Picks a model in the bar, types an input (and how many new tokens), presses Enter.
async function runInput(model, input, newTokens) {
  const n = await renders();
  await page.selectOption('#model', model);
  if (newTokens !== undefined) await page.fill('#new-tokens', String(newTokens));
  await page.fill('#input', input);
  await page.press('#input', 'Enter');
  await ready(n);
}

await check('page lists the three models with no console errors', async () => {
  await page.goto(url);
  await page.waitForFunction(() => document.querySelectorAll('#model option').length === 3);
  const names = await page.$$eval('#model option', (os) => os.map((o) => o.value));
  assert(names.includes('tiny-bert') && names.includes(lmName) && names.includes('tiny-marian'), `models: ${names}`);
  assert(consoleErrors.length === 0, `console errors: ${consoleErrors.join(' | ')}`);
});

await check('BERT: typing runs the model; every layer x head in the overview', async () => {
  await runInput('tiny-bert', 'the cat sat on the mat');
  const summary = await page.textContent('#summary');
  assert(summary.includes('"the cat sat on the mat"'), `summary: ${summary}`);
  assert(await page.locator('#grid canvas').count() === 8, `thumbnails: ${await page.locator('#grid canvas').count()}`);
  assert(await page.locator('#new-tokens-label').isHidden(), 'an encoder has no new tokens to ask for');
  await shot('models-01-bert');
});

await check('BERT: masking a word draws the Compare view with its difference', async () => {
  let n = await renders();
  await page.click('#tabs button[data-view="compare"]'); await ready(n);
  const note = await page.textContent('#mask-note');
  assert(note.includes('[MASK]'), `note: ${note}`);
  const chip = page.locator('#mask-chips .chip[data-pos="2"]');
  assert((await chip.textContent()) === 'cat', `chip 2 is '${await chip.textContent()}'`);
  await chip.click();
  n = await renders();
  await page.click('#run-masked');
  await ready(n);
  await page.waitForSelector('#compare-diff');
  for (const id of ['#compare-original', '#compare-masked', '#compare-diff']) assert(await page.locator(id).count() === 1, `${id} missing`);
  const set = await currentSet();
  assert(set.runs.length === 2 && set.runs[1].source_tokens[2] === '[MASK]', `masked run: ${JSON.stringify(set.runs[1].source_tokens)}`);
  const notes = await page.textContent('#notes');
  assert(!notes.includes('first'), `difference should cover every row: ${notes}`);
  await shot('models-02-bert-compare');
});

await check(`${lmName}: generates and steps through the generated tokens`, async () => {
  await runInput(lmName, 'Once upon a time', 12);
  await page.waitForSelector('#step-slider');
  const set = await currentSet();
  const run = set.runs[0];
  const prompt = +run.info.prompt_tokens;
  const generated = run.target_tokens.length - prompt;
  assert(generated >= 1 && generated <= 12, `generated ${generated} tokens`);
  let label = await page.textContent('#step-label');
  assert(label.startsWith(`generated token 1 of ${generated}:`), `label: ${label}`);
  assert(label.includes(JSON.stringify(run.target_tokens[prompt])), `first step should produce ${run.target_tokens[prompt]}: ${label}`);
  if (generated >= 3) {
    await page.locator('#step-slider').fill(String(prompt - 1 + 2));
    label = await page.textContent('#step-label');
    assert(label.startsWith(`generated token 3 of ${generated}:`), `label after moving: ${label}`);
    assert(label.includes(JSON.stringify(run.target_tokens[prompt + 2])), `third step: ${label}`);
  }
  assert(await page.locator('.step-tokens span.generated').count() === generated, 'generated tokens not marked');
  await shot('models-03-lm-steps');
});

await check('Marian: translates token ids and shows cross-attention', async () => {
  await runInput('tiny-marian', '5 17 42 8 0', 6);
  const set = await currentSet();
  assert(set.kinds.includes('cross'), `kinds: ${set.kinds}`);
  let n = await renders();
  await page.click('#tabs button[data-view="overview"]'); await ready(n);
  n = await renders();
  await page.selectOption('#kind', 'cross'); await ready(n);
  assert(await page.locator('#grid canvas').count() === 8, `cross thumbnails: ${await page.locator('#grid canvas').count()}`);
  const rows = await page.locator('#detail-canvas').evaluate((e) => +e.dataset.rows);
  assert(rows === set.runs[0].target_tokens.length, `detail rows ${rows} vs ${set.runs[0].target_tokens.length}`);
  await shot('models-04-marian-cross');
});

await check('no console errors anywhere', async () => {
  assert(consoleErrors.length === 0, `console errors: ${consoleErrors.join(' | ')}`);
});

await finish('web models');
