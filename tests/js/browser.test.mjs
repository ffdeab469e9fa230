// The dashboard (plugin/web) in a real Chromium (Debian's, driven by playwright-core) against the
// real lorsyncd serving a sample plan: it loads, records a letter event with one click and a
// confirmation, keeps the buttons of an action in flight busy, shows a change made with the CLI within
// a second, refuses a wrong token, keeps other origins out, fits 360 px, works from the keyboard,
// follows the dark colour scheme, shows markup in the data as text, offers both values of a real
// sync conflict (and says the sync is not clean while one is open), shows a plan broken before the
// page opened, and says so plainly when the daemon stops or restarts with a new key. Screenshots go to
// $LORSYNC_TEST_OUTPUT/screenshots (default build/test-output).
//
//   cd tests/js && npm ci        (once: playwright-core, which never downloads a browser here)
//   node --test tests/js/browser.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Sandbox, repoRoot } from './support/daemon.mjs';

let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (error) {
  throw new Error(`playwright-core is missing: run \`npm ci\` in tests/js (${error.message})`);
}

const chromiumPath = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const outputDir = resolve(repoRoot, process.env.LORSYNC_TEST_OUTPUT ?? 'build/test-output');
const screenshotDir = join(outputDir, 'screenshots');
const DESKTOP = { width: 1280, height: 900 };
const NARROW = { width: 360, height: 780 };
const LETTERS = {
  'brennan-neurology': 'Dr. Samuel Brennan',
  'delgado-consult': 'Dr. Marcus Delgado',
  'halvorsen-chair': 'Dr. Richard Halvorsen',
  'qureshi-home': 'Dr. Farah Qureshi',
  'whitfield-inpatient': 'Dr. Eleanor Whitfield',
};

let sandbox;
let plan;
let daemon;
let browser;
const contexts = new Set();

before(async () => {
  mkdirSync(screenshotDir, { recursive: true });
  sandbox = new Sandbox();
  plan = sandbox.samplePlan();
  daemon = await sandbox.startDaemon(plan);
  browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'], headless: true });
});

after(async () => {
  try {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
  } finally {
    sandbox?.cleanup();
  }
});

// A new browser context (its own sessionStorage) with a page; page errors are collected.
async function newPage({ viewport = DESKTOP, colorScheme = 'light' } = {}) {
  const context = await browser.newContext({ viewport, colorScheme, reducedMotion: 'reduce' });
  contexts.add(context);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  return { context, page, problems };
}

// Opens the dashboard of `server` (default: the shared daemon) with its token and waits for the
// letters. With `clock`, the page's timers can be fast-forwarded (page.clock) to see what it does
// after a long wait.
async function openDashboard({ clock = false, server = daemon, ...options } = {}, token = server.token) {
  const opened = await newPage(options);
  if (clock) await opened.page.clock.install();
  await opened.page.goto(`${server.url}#token=${token}`);
  await opened.page.locator('[data-letter="brennan-neurology"].card').waitFor({ timeout: 10000 });
  return opened;
}

async function closePage({ context }) {
  contexts.delete(context);
  await context.close();
}

const statusOf = (page, letter) => page.locator(`[data-letter="${letter}"].card .letter-status`).textContent();
const noHorizontalScroll = (page) => page.evaluate(() => ({
  scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth,
}));

test('the dashboard loads with the sample\'s letters and deadlines, and takes the token out of the address bar', async () => {
  const opened = await openDashboard();
  const { page } = opened;
  try {
    await page.locator('.connection[data-state="open"]').waitFor();
    assert.equal(await page.locator('h1').textContent(), 'Amina Rahman');
    for (const [letter, writer] of Object.entries(LETTERS)) {
      const card = page.locator(`[data-letter="${letter}"].card`);
      assert.equal(await card.count(), 1, `one card for ${letter}`);
      assert.equal(await card.locator('h3').textContent(), writer);
    }
    assert.equal(await statusOf(page, 'whitfield-inpatient'), 'Uploaded');
    assert.equal(await statusOf(page, 'halvorsen-chair'), 'Declined');

    const deadlines = page.locator('[data-section="deadlines"]');
    assert.ok(await deadlines.locator('.tl-item').count() >= 5, 'deadlines on the timeline');
    const first = deadlines.locator('.timeline > .tl-item').first();
    // Dr. Qureshi, a mentor of years, should have been asked 42 days before her letter is due.
    assert.match(await first.textContent(), /Ask Dr\. Farah Qureshi for a letter/);
    assert.match(await first.textContent(), /2 days overdue/);
    assert.equal(await first.locator('time').getAttribute('datetime'), '2026-08-13');
    const second = deadlines.locator('.timeline > .tl-item').nth(1);
    assert.match(await second.textContent(), /Thank Dr\. Eleanor Whitfield/);
    assert.match(await second.textContent(), /in 2 days/);
    assert.match(await second.textContent(), /Due soon/);
    assert.match(await page.locator('[data-section="findings"]').textContent(), /Warnings \(3\)/);
    // The commands a finding suggests are code, from the finding's own list (the CLI's audit has the
    // same), shown by severity as the page groups them.
    const audit = JSON.parse(sandbox.lorsync(['audit', '--json', '--plan', plan]).stdout);
    const suggested = ['error', 'warning', 'info'].flatMap((severity) =>
      audit.findings.filter((finding) => finding.severity === severity).flatMap((finding) => finding.commands));
    assert.ok(suggested.length > 0, 'the sample has findings that suggest commands');
    assert.deepEqual(await page.locator('[data-section="findings"] .finding-action code').allTextContents(), suggested);
    assert.match(await page.locator('[data-section="programs"]').textContent(), /Lakeshore Rehabilitation Institute PM&R/);
    assert.match(await page.locator('[data-section="sync"]').textContent(), /This device only/);

    // Each letter's next step offers its email as a mailto: link, from letter.draft: the same draft
    // as the CLI's (one codec).
    const draft = page.locator('[data-letter="delgado-consult"].card a.draft-email');
    await draft.waitFor();
    const cli = JSON.parse(sandbox.lorsync(['draft', 'delgado-consult', '--json', '--plan', plan], { check: true }).stdout);
    assert.equal(await draft.getAttribute('href'), cli.mailto);
    assert.equal(await draft.getAttribute('data-step'), cli.step);
    const href = new URL(cli.mailto);
    assert.equal(href.protocol, 'mailto:');
    assert.equal(href.pathname, 'mdelgado@riverside-umc.example.org');
    assert.equal(href.searchParams.get('subject'), cli.subject);
    assert.equal(href.searchParams.get('body').replaceAll('\r\n', '\n').startsWith(cli.body.split('\n')[0]), true);
    assert.match(href.searchParams.get('body'), /Dr\. Marcus Delgado|Dr\. Delgado/);

    const where = await page.evaluate(() => ({
      hash: location.hash, stored: sessionStorage.getItem('lorsync.token'), local: localStorage.length,
    }));
    assert.equal(where.hash, '', 'the token is out of the address bar');
    assert.equal(where.stored, daemon.token, 'the token is kept for the tab');
    assert.equal(where.local, 0, 'nothing is kept beyond the tab (localStorage)');

    await page.screenshot({ path: join(screenshotDir, 'dashboard-desktop.png'), fullPage: true });
    assert.deepEqual(opened.problems, []);
  } finally {
    await closePage(opened);
  }
});

test('recording "reminded" through the UI changes the letter\'s status and makes a commit', async () => {
  const opened = await openDashboard();
  const { page } = opened;
  try {
    assert.equal(await statusOf(page, 'brennan-neurology'), 'Packet sent');
    const before = sandbox.git(plan, ['rev-parse', 'HEAD']);
    const button = page.locator('[data-focus-key="record:brennan-neurology:reminded"]');
    await button.click();
    const dialog = page.locator('dialog[open]');
    await dialog.waitFor();
    assert.match(await dialog.locator('.dialog-sentence').textContent(),
      /Record that you reminded Dr\. Samuel Brennan about your letter, today \(Sat 15 Aug 2026\)\?/);
    await dialog.locator('button[type="submit"]').click();
    await page.locator('[data-letter="brennan-neurology"].card .letter-status', { hasText: 'Reminded' }).waitFor({ timeout: 5000 });
    assert.match(await page.locator('.messages').textContent(), /Recorded: you reminded Dr\. Samuel Brennan about your letter\./);
    assert.notEqual(sandbox.git(plan, ['rev-parse', 'HEAD']), before);
    const subject = sandbox.git(plan, ['log', '-1', '--format=%s']);
    assert.ok(subject.startsWith('record: letters/brennan-neurology'), subject);
    assert.match(subject, /reminded on 2026-08-15/);
    assert.equal(await page.locator('dialog').count(), 0, 'the dialog is gone');
    // The card was drawn anew; the focus is back on the button that started it.
    assert.equal(await page.evaluate(() => document.activeElement?.dataset?.focusKey), 'record:brennan-neurology:reminded');
    assert.deepEqual(opened.problems, []);
  } finally {
    await closePage(opened);
  }
});

test('a change made with the CLI shows up on screen within a second', async (t) => {
  const opened = await openDashboard();
  const { page } = opened;
  try {
    await page.locator('.connection[data-state="open"]').waitFor();
    assert.equal(await statusOf(page, 'delgado-consult'), 'Asked');
    const started = performance.now();
    const result = sandbox.lorsync(['record', 'delgado-consult', 'agreed', '--via', 'email'], { cwd: plan });
    assert.equal(result.status, 0, result.stderr);
    await page.locator('[data-letter="delgado-consult"].card .letter-status', { hasText: 'Agreed' }).waitFor({ timeout: 5000 });
    const elapsed = performance.now() - started;
    t.diagnostic(`lorsync record to the screen: ${elapsed.toFixed(0)} ms`);
    assert.ok(elapsed < 1000, `shown after ${elapsed.toFixed(0)} ms`);
    assert.match(sandbox.git(plan, ['log', '-1', '--format=%s']), /^record: letters\/delgado-consult/);
    // It says what changed, politely, and offers the next steps for an agreed letter.
    await page.locator('.messages', { hasText: 'Dr. Marcus Delgado' }).waitFor({ timeout: 2000 });
    assert.equal(await page.locator('[data-focus-key="record:delgado-consult:packet-sent"]').count(), 1);
    assert.deepEqual(opened.problems, []);
  } finally {
    await closePage(opened);
  }
});

test('while a recording is in flight its buttons stay busy, also when a change from elsewhere redraws the page', async () => {
  const opened = await newPage();
  const { page } = opened;
  // Holds letter.record on its way to lorsyncd (until release), so the call stays in flight.
  let hold = true;
  const held = [];
  await page.routeWebSocket(/\/rpc$/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      if (hold && String(message).includes('"letter.record"')) held.push(message);
      else server.send(message);
    });
    opened.release = () => { hold = false; for (const message of held.splice(0)) server.send(message); };
  });
  await page.goto(`${daemon.url}#token=${daemon.token}`);
  const buttons = page.locator('[data-letter="qureshi-home"].card .record button');
  try {
    await buttons.first().waitFor({ timeout: 10000 });
    const before = await statusOf(page, 'qureshi-home');
    await buttons.first().click();
    await page.locator('dialog[open] button[type="submit"]').click();
    await page.locator('dialog').waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.querySelectorAll('[data-letter="qureshi-home"].card').length === 1);
    await buttons.evaluateAll((nodes) => { for (const node of nodes) node.dataset.drawnBefore = 'yes'; });
    const result = sandbox.lorsync(['record', 'halvorsen-chair', 'thanked'], { cwd: plan });
    assert.equal(result.status, 0, result.stderr);
    await page.locator('[data-letter="halvorsen-chair"].card .letter-last', { hasText: 'Thanked' }).waitFor({ timeout: 5000 });
    const redrawn = await buttons.evaluateAll((nodes) => nodes.map((node) => [node.dataset.drawnBefore ?? 'no', node.getAttribute('aria-disabled')]));
    assert.ok(redrawn.length > 0);
    assert.deepEqual(redrawn, redrawn.map(() => ['no', 'true']), 'the redrawn record buttons of the letter are busy');
    // force: Playwright would wait for an aria-disabled button to become enabled. The page may still be
    // drawing the other notifications of that change: wait until the button is on screen again.
    await buttons.first().waitFor({ state: 'visible', timeout: 5000 });
    await buttons.first().click({ force: true });
    assert.equal(await page.locator('dialog[open]').count(), 0, 'a busy button opens no second dialog');
    assert.equal(held.length, 1, 'one call held');
    opened.release();
    await page.locator('.messages', { hasText: 'Recorded:' }).waitFor({ timeout: 5000 });
    assert.notEqual(await statusOf(page, 'qureshi-home'), before);
    assert.equal(await page.locator('[data-letter="qureshi-home"].card .record button[aria-disabled]').count(), 0, 'not busy once done');
    assert.deepEqual(opened.problems, []);
  } finally {
    await closePage(opened);
  }
});

test('a wrong token gets a clear message and no data; no token gets the way to the link', async () => {
  const opened = await newPage();
  const { page } = opened;
  try {
    await page.goto(`${daemon.url}#token=${'0'.repeat(64)}`);
    await page.locator('.connection[data-state="unauthorized"]').waitFor({ timeout: 10000 });
    const text = await page.locator('body').innerText();
    assert.match(text, /did not accept the key/);
    assert.match(text, /lorsync open/);
    for (const writer of Object.values(LETTERS)) assert.ok(!text.includes(writer), `no ${writer} on the page`);
    assert.ok(!text.includes('Amina Rahman'));
    assert.equal(await page.locator('[data-letter]').count(), 0);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('lorsync.token')), null, 'the refused token is dropped');

    await page.goto(daemon.url);
    await page.locator('.gate-help').waitFor();
    const help = await page.locator('main').innerText();
    assert.match(help, /lorsync open/);
    assert.equal(await page.locator('[data-letter]').count(), 0);
  } finally {
    await closePage(opened);
  }
});

test('a page from another origin cannot use the API, even with the real token', async () => {
  const attacker = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><title>elsewhere</title><p id="result">trying</p>
<script>
  const log = [];
  const report = (text) => { document.getElementById('result').textContent = text; window.outcome = { text, log }; };
  let socket;
  try {
    socket = new WebSocket('ws://127.0.0.1:${daemon.port}/rpc');
  } catch (error) {
    report('failed: ' + error.message);
  }
  if (socket) {
    socket.onopen = () => {
      log.push('open');
      socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'auth', params: { token: ${JSON.stringify(daemon.token)} } }));
      socket.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'plan.status', params: {} }));
    };
    socket.onmessage = (event) => log.push('message ' + event.data);
    socket.onerror = () => log.push('error');
    socket.onclose = (event) => { log.push('close ' + event.code); report(log.includes('open') ? 'opened' : 'failed'); };
  }
</script>`);
  });
  await new Promise((done) => attacker.listen(0, '127.0.0.1', done));
  const opened = await newPage();
  const { page } = opened;
  try {
    const origin = `http://127.0.0.1:${attacker.address().port}`;
    assert.notEqual(origin, daemon.url.replace(/\/$/, ''));
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => window.outcome !== undefined, null, { timeout: 10000 });
    const outcome = await page.evaluate(() => window.outcome);
    assert.equal(outcome.text, 'failed', JSON.stringify(outcome));
    assert.ok(!outcome.log.includes('open'), 'the socket never opened');
    assert.ok(!outcome.log.some((entry) => entry.startsWith('message')), 'no answer reached the page');
    assert.equal(await page.locator('#result').textContent(), 'failed');
  } finally {
    await closePage(opened);
    await new Promise((done) => attacker.close(done));
  }
});

test('at 360 px the page is never wider than the viewport, also with a dialog open', async () => {
  const opened = await openDashboard({ viewport: NARROW });
  const { page } = opened;
  try {
    let size = await noHorizontalScroll(page);
    assert.ok(size.scrollWidth <= size.innerWidth, `page ${size.scrollWidth} px wide in ${size.innerWidth} px`);
    // No element sticks out on the right either (overflow the page would hide).
    const wide = await page.evaluate(() => [...document.querySelectorAll('main *')]
      .filter((node) => node.getClientRects().length && node.getBoundingClientRect().right > window.innerWidth + 0.5)
      .map((node) => `${node.tagName.toLowerCase()}.${node.className}`).slice(0, 5));
    assert.deepEqual(wide, []);
    await page.screenshot({ path: join(screenshotDir, 'dashboard-360.png'), fullPage: true });

    await page.locator('[data-focus-key="assign:blue-ridge-pmr"]').click();
    await page.locator('dialog[open]').waitFor();
    size = await noHorizontalScroll(page);
    assert.ok(size.scrollWidth <= size.innerWidth, `with a dialog: ${size.scrollWidth} px in ${size.innerWidth} px`);
    const box = await page.locator('dialog[open]').boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= NARROW.width, `the dialog fits: ${JSON.stringify(box)}`);
    await page.screenshot({ path: join(screenshotDir, 'dashboard-360-dialog.png') });
    await page.keyboard.press('Escape');
    await page.locator('dialog').waitFor({ state: 'detached' });
    assert.deepEqual(opened.problems, []);
  } finally {
    await closePage(opened);
  }
});

// Every button, link, input and select the accessibility tree exposes has a name (Chromium computes it).
async function unnamedControls(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    const roles = new Set(['button', 'link', 'textbox', 'combobox', 'checkbox', 'radio', 'spinbutton', 'Date', 'date', 'slider']);
    const controls = nodes.filter((node) => !node.ignored && roles.has(node.role?.value));
    return {
      count: controls.length,
      unnamed: controls.filter((node) => !String(node.name?.value ?? '').trim()).map((node) => node.role.value),
    };
  } finally {
    await cdp.detach();
  }
}

test('keyboard: Tab reaches the record buttons, the dialog keeps and returns the focus; every control has a name', async () => {
  const opened = await openDashboard();
  const { page } = opened;
  try {
    const page0 = await unnamedControls(page);
    assert.ok(page0.count >= 15, `${page0.count} controls`);
    assert.deepEqual(page0.unnamed, [], 'controls without an accessible name');
    const missing = await page.evaluate(() => [...document.querySelectorAll('button, input, select, textarea')]
      .filter((node) => !(node.labels?.length || node.getAttribute('aria-label') || node.textContent.trim()))
      .map((node) => node.outerHTML.slice(0, 80)));
    assert.deepEqual(missing, []);

    let key = null;
    for (let presses = 0; presses < 80 && !key; presses++) {
      await page.keyboard.press('Tab');
      key = await page.evaluate(() => {
        const active = document.activeElement;
        return active?.matches('button[data-focus-key^="record:"]') ? active.dataset.focusKey : null;
      });
    }
    assert.ok(key, 'Tab reaches a record button');
    const commit = sandbox.git(plan, ['rev-parse', 'HEAD']);
    await page.keyboard.press('Enter');
    await page.locator('dialog[open]').waitFor();
    const inDialog = () => page.evaluate(() => {
      const dialog = document.querySelector('dialog[open]');
      return Boolean(dialog && dialog.contains(document.activeElement));
    });
    assert.ok(await inDialog(), 'the dialog takes the focus');
    assert.equal(await page.evaluate(() => document.activeElement.className), 'dialog-sentence',
      'the focus starts on the question, not on the button that commits');
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('dialog[open]').count(), 1, 'Enter right away does not commit');
    const dialogControls = await unnamedControls(page);
    assert.ok(dialogControls.count >= 4, `${dialogControls.count} controls in the dialog`);
    assert.deepEqual(dialogControls.unnamed, [], 'dialog controls without an accessible name');
    for (let presses = 0; presses < 8; presses++) {
      await page.keyboard.press('Tab');
      assert.ok(await inDialog(), `Tab ${presses + 1} stays in the dialog`);
    }
    for (let presses = 0; presses < 8; presses++) {
      await page.keyboard.press('Shift+Tab');
      assert.ok(await inDialog(), `Shift+Tab ${presses + 1} stays in the dialog`);
    }
    await page.keyboard.press('Escape');
    await page.locator('dialog').waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.dataset?.focusKey ?? null), key, 'focus is back on the button');
    assert.equal(sandbox.git(plan, ['rev-parse', 'HEAD']), commit, 'Escape recorded nothing');
    const live = () => page.evaluate(() => document.querySelector('main [aria-live="polite"]').textContent);
    assert.equal(await live(), '', 'nothing announced yet');

    // The focus is visible: an outline on the focused button.
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none');
    // Landmarks and headings in order.
    const structure = await page.evaluate(() => ({
      mains: document.querySelectorAll('main').length,
      h1: document.querySelectorAll('h1').length,
      levels: [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((node) => Number(node.tagName[1])),
    }));
    assert.equal(structure.mains, 1);
    assert.equal(structure.h1, 1);
    structure.levels.forEach((level, index) => {
      if (index) assert.ok(level <= structure.levels[index - 1] + 1, `heading levels skip at ${index}: ${structure.levels.join(',')}`);
    });

    // Recording from the keyboard is announced in the polite live region.
    await page.keyboard.press('Enter');
    const dialog = page.locator('dialog[open]');
    await dialog.waitFor();
    await dialog.locator('button[type="submit"]').focus();
    await page.keyboard.press('Enter');
    const [, letter] = key.split(':');
    await page.waitForFunction((writer) => document.querySelector('main [aria-live="polite"]').textContent.startsWith(`Recorded: `)
      && document.querySelector('main [aria-live="polite"]').textContent.includes(writer), LETTERS[letter], { timeout: 5000 });
    assert.notEqual(sandbox.git(plan, ['rev-parse', 'HEAD']), commit, 'the confirmation recorded it');
    assert.doesNotMatch(await live(), /Updated/, 'its own change is not announced as one from elsewhere');
    assert.deepEqual(opened.problems, []);
  } finally {
    await closePage(opened);
  }
});

test('the dark colour scheme changes the background', async () => {
  const opened = await openDashboard();
  const { page } = opened;
  try {
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await background();
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await background();
    assert.notEqual(dark, light);
    const luminance = (color) => {
      const [r, g, b] = color.match(/\d+/g).map(Number);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    assert.ok(luminance(dark) < 60 && luminance(light) > 200, `light ${light}, dark ${dark}`);
    await page.screenshot({ path: join(screenshotDir, 'dashboard-desktop-dark.png'), fullPage: true });
    await page.setViewportSize(NARROW);
    await page.screenshot({ path: join(screenshotDir, 'dashboard-360-dark.png'), fullPage: true });
    assert.deepEqual(opened.problems, []);
  } finally {
    await closePage(opened);
  }
});

test('a name with markup shows as text and runs nothing', async () => {
  const opened = await openDashboard();
  const { page } = opened;
  const markup = '<img src=x onerror=window.__xss=1>';
  try {
    await page.locator('.connection[data-state="open"]').waitFor();
    const result = sandbox.lorsync(['set', 'writer', 'samuel-brennan', `name=${markup}`], { cwd: plan });
    assert.equal(result.status, 0, result.stderr);
    await page.locator('[data-letter="brennan-neurology"].card h3', { hasText: markup }).waitFor({ timeout: 1000 });
    await page.waitForTimeout(300);  // time for an image error handler to run, if an <img> was made
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    assert.equal(await page.locator('main img').count(), 0, 'no <img> was made from the name');
    assert.deepEqual(opened.problems, []);
  } finally {
    sandbox.lorsync(['set', 'writer', 'samuel-brennan', 'name=Dr. Samuel Brennan'], { cwd: plan, check: true });
    await closePage(opened);
  }
});

test('a set that breaks the program\'s requirements is assigned only with "Assign anyway", whose dialog starts on Cancel', async () => {
  // Four PM&R letters asked for: the sample has three active ones, so even the suggested set falls short.
  const stricter = sandbox.lorsync(['set', 'program', 'blue-ridge-pmr', 'requires.pmr_letters_min=4'], { cwd: plan });
  assert.equal(stricter.status, 0, stricter.stderr);
  const opened = await openDashboard();
  const { page } = opened;
  try {
    const button = page.locator('button[data-focus-key="assign:blue-ridge-pmr"]');
    const dialog = page.locator('dialog[open]');
    await page.locator('[data-program="blue-ridge-pmr"].card .program-fit', { hasText: 'No letters assigned' }).waitFor({ timeout: 5000 });
    const before = sandbox.git(plan, ['rev-parse', 'HEAD']);

    await button.click();
    await dialog.waitFor();
    assert.match(await dialog.textContent(), /Even this set does not meet: .*PM&R/);
    assert.equal(await dialog.locator('button[type="submit"]').textContent(), 'Assign anyway');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Cancel');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(sandbox.git(plan, ['rev-parse', 'HEAD']), before, 'Enter on Cancel assigns nothing');

    await button.click();
    await dialog.locator('button[type="submit"]').click();
    await page.locator('[data-program="blue-ridge-pmr"].card .program-fit', { hasNotText: 'No letters assigned' }).waitFor({ timeout: 5000 });
    assert.match(sandbox.git(plan, ['log', '-1', '--format=%s']), /^set: programs\/blue-ridge-pmr/);
    const program = JSON.parse(sandbox.lorsync(['--json', 'programs'], { cwd: plan, check: true }).stdout)
      .find((report) => report.id === 'blue-ridge-pmr');
    assert.equal(program.assigned.length, 4);
    assert.equal(program.assigned_fits, false, 'recorded although it falls short, as confirmed');
    assert.deepEqual(opened.problems, []);
  } finally {
    await closePage(opened);
    sandbox.lorsync(['set', 'program', 'blue-ridge-pmr', 'requires.pmr_letters_min=1', '--unset', 'letters'], { cwd: plan, check: true });
  }
});

// Two devices of one plan, through a bare remote, change the same two fields while apart; the
// desktop's later changes reach the remote first, so the laptop's merge keeps them and records its
// own values as set aside. Made once, with lorsyncd on the laptop: { plan, server }.
let conflicted;
function laptopWithConflicts() {
  conflicted ??= (async () => {
    const remote = join(sandbox.root, 'remote.git');
    const laptop = join(sandbox.root, 'laptop');
    const desktop = join(sandbox.root, 'desktop');
    sandbox.git(sandbox.root, ['init', '-q', '--bare', '--initial-branch=main', remote]);
    const on = (device, args) => sandbox.lorsync(args, { cwd: device === 'laptop' ? laptop : desktop, check: true, env: { LORSYNC_DEVICE: device } });
    sandbox.lorsync(['init', '--sample', laptop], { check: true, env: { LORSYNC_DEVICE: 'laptop' } });
    on('laptop', ['remote', remote]);
    on('laptop', ['sync']);
    sandbox.lorsync(['clone', remote, desktop], { check: true, env: { LORSYNC_DEVICE: 'desktop' } });
    on('laptop', ['set', 'letter', 'delgado-consult', 'eras_letter_id=L-100']);
    on('laptop', ['set', 'writer', 'samuel-brennan', 'email=sam.brennan@riverside-umc.example.org']);
    await sleep(1100);  // commit times have one-second resolution: the desktop's must be later
    on('desktop', ['set', 'letter', 'delgado-consult', 'eras_letter_id=L-200']);
    on('desktop', ['set', 'writer', 'samuel-brennan', 'email=s.brennan@riverside-umc.example.org']);
    on('desktop', ['sync']);
    on('laptop', ['sync']);
    const server = await sandbox.startDaemon(laptop, { env: { LORSYNC_DEVICE: 'laptop' } });
    return { plan: laptop, server };
  })();
  return conflicted;
}

const syncBadge = (page) => page.locator('[data-section="sync"] .sync-state .badge');

test('with conflicts open, the sync badge does not say "In sync" but how many are left to settle', async () => {
  const { server } = await laptopWithConflicts();
  const opened = await openDashboard({ server });
  const { page } = opened;
  try {
    await page.locator('[data-section="sync"] .sync-state[data-state="ok"]').waitFor({ timeout: 10000 });
    assert.equal(await syncBadge(page).textContent(), 'Synced · 2 conflicts to settle');
    assert.match(await syncBadge(page).getAttribute('class'), /\btone-warn\b/);
    assert.match(await page.locator('[data-section="sync"] .sync-explain').textContent(), /settle them below/);
    assert.equal(await page.locator('[data-section="sync"] li.conflict').count(), 2);
    await page.screenshot({ path: join(screenshotDir, 'dashboard-sync-conflicts.png'), fullPage: true });
    // Each conflict offers its two values as buttons: long ones (an email address) still fit 360 px.
    await page.setViewportSize(NARROW);
    const size = await noHorizontalScroll(page);
    assert.ok(size.scrollWidth <= size.innerWidth, `page ${size.scrollWidth} px wide in ${size.innerWidth} px`);
    const wide = await page.locator('[data-section="sync"] .conflict-actions button').evaluateAll((nodes) => nodes
      .filter((node) => node.getBoundingClientRect().right > window.innerWidth + 0.5).map((node) => node.textContent));
    assert.deepEqual(wide, []);
    await page.locator('[data-section="sync"]').screenshot({ path: join(screenshotDir, 'dashboard-360-sync-conflicts.png') });
    assert.deepEqual(opened.problems, []);
  } finally {
    await closePage(opened);
  }
});

test('a field\'s sync conflict offers both values; keeping the one set aside writes it back and settles it in one commit', async () => {
  const { plan: laptop, server } = await laptopWithConflicts();
  const opened = await openDashboard({ server });
  const { page } = opened;
  const key = 'resolve:letters/delgado-consult.md:eras_letter_id';
  try {
    const current = page.locator(`button[data-focus-key="${key}:current"]`);
    const other = page.locator(`button[data-focus-key="${key}:other"]`);
    await other.waitFor({ timeout: 10000 });
    assert.equal(await current.textContent(), 'Keep “L-200”');
    assert.equal(await other.textContent(), 'Keep “L-100”');
    assert.equal(await page.locator('[data-section="sync"] button', { hasText: 'Mark settled' }).count(), 0,
      'a field conflict is not only marked settled');

    // Keeping what the plan has: the dialog says so; cancelled, nothing changes.
    const dialog = page.locator('dialog[open]');
    await current.click();
    await dialog.waitFor();
    assert.equal(await dialog.locator('.dialog-sentence').textContent(),
      'Keep “L-200” for eras_letter_id in letters/delgado-consult.md, and forget “L-100”?');
    assert.equal(await dialog.locator('button[type="submit"]').textContent(), 'Keep “L-200”');
    assert.doesNotMatch(await dialog.textContent(), /set it first/);
    await dialog.locator('button', { hasText: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });

    const before = sandbox.git(laptop, ['rev-parse', 'HEAD']);
    await other.click();
    await dialog.waitFor();
    assert.equal(await dialog.locator('.dialog-sentence').textContent(),
      'Put “L-100” back as eras_letter_id in letters/delgado-consult.md, in place of “L-200”?');
    assert.equal(await dialog.locator('button[type="submit"]').textContent(), 'Keep “L-100”');
    assert.doesNotMatch(await dialog.textContent(), /set it first/);
    await dialog.locator('button[type="submit"]').click();

    await page.locator('.messages', { hasText: 'Settled: eras_letter_id in letters/delgado-consult.md is “L-100” again.' }).waitFor({ timeout: 5000 });
    await page.locator(`button[data-focus-key^="${key}:"]`).first().waitFor({ state: 'detached', timeout: 5000 });
    assert.equal(await page.locator('[data-section="sync"] li.conflict').count(), 1, 'the other conflict is still open');
    await syncBadge(page).filter({ hasText: 'Synced · 1 conflict to settle' }).waitFor({ timeout: 10000 });

    assert.match(readFileSync(join(laptop, 'letters/delgado-consult.md'), 'utf8'), /^eras_letter_id: L-100$/m);
    assert.doesNotMatch(readFileSync(join(laptop, 'sync-conflicts.yaml'), 'utf8'), /eras_letter_id/);
    const commits = sandbox.git(laptop, ['log', '--format=%s', `${before}..HEAD`]).split('\n');
    assert.equal(commits.length, 1, commits.join(' | '));
    assert.match(commits[0], /^resolve: /);
    const touched = sandbox.git(laptop, ['show', '--name-only', '--format=', 'HEAD']).split('\n').sort();
    assert.deepEqual(touched, ['letters/delgado-consult.md', 'sync-conflicts.yaml']);
    const listed = JSON.parse(sandbox.lorsync(['--json', 'resolve'], { cwd: laptop, check: true }).stdout);
    assert.deepEqual(listed.conflicts.map((conflict) => conflict.field), ['email']);
    assert.deepEqual(opened.problems, []);
  } finally {
    await closePage(opened);
  }
});

test('a dashboard opened after an outside edit broke a file shows the invalid-plan banner, naming the file', async () => {
  const broken = sandbox.samplePlan('broken');
  const server = await sandbox.startDaemon(broken);
  // A client of lorsyncd's own (in a page of its origin, which serves the client) tells when it has
  // noticed the edit: the dashboard is opened only after that.
  const watcher = await newPage();
  const letter = join(broken, 'letters/qureshi-home.md');
  const original = readFileSync(letter, 'utf8');
  try {
    await watcher.page.goto(server.url);
    await watcher.page.evaluate(async ({ url, token }) => {
      const { LorsyncClient } = await import('/client/lorsync.js');
      const client = new LorsyncClient({ url, token });
      await client.connect();
      window.invalid = new Promise((resolve) => client.on('plan.invalid', resolve));
      await client.subscribe();
    }, { url: server.wsUrl, token: server.token });
    writeFileSync(letter, original.replace(/^waived: false$/m, 'waived: [unclosed'));
    const noticed = await watcher.page.evaluate(() => Promise.race([window.invalid,
      new Promise((resolve) => { setTimeout(() => resolve(null), 8000); })]));
    assert.ok(noticed?.diagnostics?.some((d) => d.path === 'letters/qureshi-home.md'), JSON.stringify(noticed));

    const opened = await openDashboard({ server });
    const { page } = opened;
    try {
      const banner = page.locator('div.invalid-plan');
      await banner.waitFor({ state: 'visible', timeout: 5000 });
      assert.match(await banner.textContent(), /A file of your plan has a problem/);
      assert.match(await banner.locator('li').first().textContent(), /letters\/qureshi-home\.md/);
      // Still there once the first load is done and shown (that load must not hide it).
      await page.locator('.connection[data-state="open"]').waitFor();
      await page.waitForFunction(() => document.querySelectorAll('[data-section="sync"] .sync-state').length === 1);
      await page.waitForTimeout(300);
      assert.ok(await banner.isVisible(), 'the banner stays');
      assert.match(await banner.textContent(), /letters\/qureshi-home\.md/);
      assert.equal(await page.locator('[data-letter="qureshi-home"].card').count(), 1, 'the last valid version is shown');
    } finally {
      await closePage(opened);
    }
  } finally {
    await closePage(watcher);
    await sandbox.stopDaemon(server);
  }
});

test('when lorsyncd stops, the page says so once, then asks whether it runs; after a restart with a new key it says to run lorsync open again and stops', async () => {
  const opened = await openDashboard({ clock: true });
  const { page } = opened;
  const live = () => page.locator('main [aria-live="polite"]').textContent();
  try {
    await page.locator('.connection[data-state="open"]').waitFor();
    await page.locator('[data-focus-key="assign:blue-ridge-pmr"]').click();
    await page.locator('dialog[open]').waitFor();
    const port = daemon.port;
    await sandbox.stopDaemon(daemon);
    await page.locator('.connection[data-state="reconnecting"]').waitFor({ timeout: 5000 });
    assert.match(await page.locator('.connection').textContent(), /Reconnecting/);
    assert.match(await live(), /connection to lorsyncd was lost/);
    // The client retries every few seconds and says 'reconnecting' each time: the page's message
    // stays until the slow-connection hint replaces it, which then stays too.
    await page.clock.fastForward(16000);
    await page.locator('.messages', { hasText: 'has not answered for a while' }).waitFor({ timeout: 2000 });
    for (let round = 0; round < 3; round++) {
      await page.clock.fastForward(10000);
      await page.waitForTimeout(300);  // the retry fails on a real socket
      assert.match(await live(), /has not answered for a while/, `after retry round ${round + 1}`);
    }
    daemon = await sandbox.startDaemon(plan, { port });
    await page.clock.fastForward(10000);
    await page.locator('.connection[data-state="unauthorized"]').waitFor({ timeout: 15000 });
    assert.equal(await page.locator('dialog').count(), 0, 'the dialog, which named a writer, is closed');
    const text = await page.locator('main').innerText();
    assert.match(text, /restarted and made a new key/);
    assert.match(text, /lorsync open/);
    assert.equal(await page.locator('[data-letter]').count(), 0, 'the old data is gone');
    // It does not keep knocking: the state stays put.
    await page.waitForTimeout(1500);
    assert.equal(await page.locator('.connection').getAttribute('data-state'), 'unauthorized');
    // The new link works in the same tab.
    await page.goto(`${daemon.url}#token=${daemon.token}`);
    await page.locator('[data-letter="brennan-neurology"].card').waitFor({ timeout: 10000 });
  } finally {
    await closePage(opened);
  }
});
