// The dashboard: the whole plan on one page, live. mountDashboard(container, client) fetches
// plan.status, plan.get, audit.run, deadlines.list, programs.list and sync.status, subscribes, and
// re-renders when the plan changes (from this page, the CLI, an editor, git or another device) and
// after a reconnect. Used by the browser page (app.js) and the Zotero plugin: it touches no
// globals, only container.ownerDocument and its window's timers.

import { h, fill } from './dom.js';
import { closeDialogs } from './dialog.js';
import { renderReadiness } from './readiness-view.js';
import { renderLetters } from './letters-view.js';
import { renderDeadlines } from './deadlines-view.js';
import { renderFindings } from './findings-view.js';
import { renderPrograms } from './programs-view.js';
import { renderPacketItem } from './packet-view.js';
import { renderSync } from './sync-view.js';
import { PACKET_KINDS, SPECIALTY_LABELS, formatDate, describeError, writerOf, daysBetween } from './derive.js';

const CONNECTION_WORDS = {
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Reconnecting…',
  unauthorized: 'Key refused',
  closed: 'Disconnected',
};

const SOURCE_WORDS = {
  api: 'through lorsync (the command line, Zotero or another tab)',
  file: 'by an edit to the plan\'s files',
  git: 'by a git commit',
  sync: 'from another device',
};

// In the order of the page (on a wide screen: the main column, then the side column).
const SECTIONS = [
  ['letters', 'Letters'], ['programs', 'Programs'], ['packet', 'Packet'],
  ['deadlines', 'Deadlines'], ['findings', 'Findings'], ['sync', 'Sync'],
];

const COALESCE_MS = 40;        // notifications come in bursts (plan.changed, audit.changed, ...)
const MESSAGE_MS = 12000;      // how long a success or info message stays
const SLOW_RECONNECT_MS = 15000;
const OWN_COMMITS_KEPT = 50;   // a plan.changed comes within moments of its commit: the last few suffice

// A letter's or a program's file: {kind, id}, else null.
function entityOfPath(path) {
  const match = /^(letters|programs)\/([^/]+)\.md$/.exec(path);
  return match ? { kind: match[1] === 'letters' ? 'letter' : 'program', id: match[2] } : null;
}

/**
 * Mounts the dashboard into `container` (the page's <main>, or any element).
 * @param {Element} container
 * @param {import('../client/lorsync.js').LorsyncClient} client not yet connected, or connected
 * @param {object} [options]
 * @param {string} [options.today] 'YYYY-MM-DD' to show instead of the daemon's today
 * @param {string} [options.idPrefix] prefix of the element ids (default 'lor')
 * @param {(data: object) => void} [options.onUpdate] after each render, with the data shown
 * @param {(info: {wasOpen: boolean, error?: Error}) => void} [options.onUnauthorized] when lorsyncd
 *   refuses the token; wasOpen: it had accepted it before (lorsyncd restarted with a new key)
 * @param {string} [options.unauthorizedHelp] what to do about a refused key (default: the advice
 *   to run `lorsync open`, for the browser page)
 * @param {number} [options.slowAfterMs] how long a lost connection lasts before the page asks
 *   whether lorsyncd runs (default 15 s)
 * @returns {{destroy(): void, refresh(): Promise<void>}}
 */
export function mountDashboard(container, client, options = {}) {
  const doc = container.ownerDocument;
  const win = doc.defaultView;
  const setTimer = (fn, ms) => win.setTimeout(fn, ms);
  const clearTimer = (id) => win.clearTimeout(id);
  const prefix = options.idPrefix ?? 'lor';

  const data = { status: null, plan: null, audit: null, deadlines: null, programs: null, sync: null };
  const failures = {};          // what could not be fetched, by data key
  const ownCommits = new Set(); // commits this page made: not announced as changes from elsewhere
  const pendingChanges = [];    // plan.changed params not announced yet
  const busy = new Set();       // keys of the actions in flight (dom.js's ctx.busy), drawn busy across redraws
  let committing = 0;           // own commits not answered yet: their plan.changed may come first
  let lastState = null;
  let diagnostics = null;       // from plan.invalid, until the next valid change
  let everOpen = false;
  let destroyed = false;
  let refreshTimer = null;
  let refreshing = null;
  let again = false;
  let messageTimer = null;
  let slowTimer = null;
  let clockTimer = null;

  // ----- the skeleton
  const id = (name) => `${prefix}-${name}`;
  const connection = h(doc, 'p.connection', { dataset: { state: client.state } },
    h(doc, 'span.connection-dot', { 'aria-hidden': 'true' }), h(doc, 'span.connection-text', {}, CONNECTION_WORDS[client.state] ?? client.state));
  const title = h(doc, 'h1.title', { tabindex: '-1' }, 'Letters of recommendation');
  const subtitle = h(doc, 'p.subtitle', {}, '');
  const nav = h(doc, 'nav.jump', { 'aria-label': 'Sections', hidden: true }, h(doc, 'ul', {},
    SECTIONS.map(([key, label]) => h(doc, 'li', {}, h(doc, 'a', { href: `#${id(key)}` }, label)))));
  const messageText = h(doc, 'p.message-text', {});
  const messages = h(doc, 'div.messages', { role: 'status', 'aria-live': 'polite' }, messageText);
  const dismiss = h(doc, 'button.button.small.quiet', { type: 'button', hidden: true, 'aria-label': 'Dismiss the message' }, 'Dismiss');
  const invalid = h(doc, 'div.invalid-plan', { hidden: true });
  const gate = h(doc, 'div.gate', {}, h(doc, 'p.gate-text', {}, 'Connecting to lorsyncd…'));
  const section = (key) => h(doc, 'section.panel', { id: id(key), 'aria-labelledby': id(`${key}-heading`), dataset: { section: key } });
  const sections = Object.fromEntries([['readiness'], ...SECTIONS].map(([key]) => [key, section(key)]));
  sections.readiness.classList.add('readiness');
  const body = h(doc, 'div.dashboard-body', { hidden: true },
    sections.readiness,
    h(doc, 'div.columns', {},
      h(doc, 'div.column.column-main', {}, sections.letters, sections.programs, sections.packet),
      h(doc, 'div.column.column-side', {}, sections.deadlines, sections.findings, sections.sync)));
  container.classList.add('lorsync-dashboard');
  fill(container,
    h(doc, 'div.masthead', {},
      h(doc, 'div.masthead-text', {}, h(doc, 'p.eyebrow', {}, 'lorsync · letters of recommendation'), title, subtitle),
      connection),
    nav,
    h(doc, 'div.message-bar', {}, messages, dismiss),
    invalid, gate, body);

  // ----- messages (a polite live region: never alerts)
  function announce(message, kind = 'info') {
    if (destroyed) return;
    clearTimer(messageTimer);
    messages.dataset.kind = kind;
    messageText.textContent = kind === 'error' ? `Problem: ${message}` : message;
    dismiss.hidden = false;
    if (kind !== 'error') messageTimer = setTimer(clearMessage, MESSAGE_MS);
  }
  function clearMessage() {
    clearTimer(messageTimer);
    messageText.textContent = '';
    delete messages.dataset.kind;
    if (doc.activeElement === dismiss) title.focus();
    dismiss.hidden = true;
  }
  dismiss.addEventListener('click', clearMessage);

  // ----- actions, wired to the client
  function remember(commit) {
    ownCommits.add(commit);
    // A Set iterates in insertion order: the first is the oldest.
    if (ownCommits.size > OWN_COMMITS_KEPT) ownCommits.delete(ownCommits.values().next().value);
  }
  // Runs a call with its buttons busy until the page shows its outcome. `commits`: the call makes a
  // commit whose plan.changed may arrive before its answer, so changes wait to be announced until then.
  async function act(key, call, { commits = true } = {}) {
    busy.add(key);
    render();
    if (commits) committing += 1;
    let counted = commits;
    try {
      const result = await call();
      if (result?.commit) remember(result.commit);
      if (counted) { committing -= 1; counted = false; }
      await refresh();
      return result;
    } catch (error) {
      if (counted) { committing -= 1; counted = false; }
      // Someone else's change won: show it (describeError says the page now does).
      if (error?.code === -32003) await refresh();
      else if (committing === 0 && pendingChanges.length) scheduleRefresh();
      throw error;
    } finally {
      busy.delete(key);
      render();
    }
  }
  const actions = {
    recordEvent: (letter, event, extra = {}) => act(`record:${letter}`, () => client.letterRecord({ letter, event, ...extra })),
    assign: (program, letters, { force } = {}) => act(`assign:${program}`, () => client.programsAssign({ program, letters, force })),
    resolve: (path, field, keep) => act(`resolve:${path}:${field}`, () => client.syncResolve({ path, field, keep })),
    // What a sync round brings comes from the other devices: announced as such.
    syncNow: () => act('sync-now', () => client.syncNow({}, { timeoutMs: 120000 }), { commits: false }),
  };

  // ----- rendering
  function focusKeyInside() {
    const active = doc.activeElement;
    if (!active || !container.contains(active)) return null;
    return active.closest?.('[data-focus-key]')?.dataset.focusKey ?? null;
  }
  function restoreFocus(key) {
    if (!key || (doc.activeElement && doc.activeElement !== doc.body && container.contains(doc.activeElement))) return;
    const nodes = [...container.querySelectorAll('[data-focus-key]')];
    let target = nodes.find((node) => node.dataset.focusKey === key);
    if (!target) {
      // A button that is gone (its step was recorded): its card instead.
      const [kind, entity] = key.split(':');
      const card = { record: 'letter', assign: 'program' }[kind];
      target = card && nodes.find((node) => node.dataset.focusKey === `${card}:${entity}`);
    }
    target?.focus();
  }

  // `section` names the heading the section is labelled by; `dataKey` what could not be fetched.
  function renderFailure(node, section, dataKey, what) {
    fill(node, h(doc, 'h2', { id: id(`${section}-heading`) }, what),
      h(doc, 'p.empty', {}, `Could not load this part: ${describeError(failures[dataKey])}`));
  }

  function today() {
    return options.today ?? data.status?.today;
  }

  function renderHeader() {
    const status = data.status;
    if (!status) return;
    title.textContent = status.applicant;
    const plan = data.plan?.plan?.data;
    fill(subtitle,
      plan?.specialty ? [SPECIALTY_LABELS[plan.specialty] ?? plan.specialty, ' · '] : null,
      `Match ${status.cycle}`, ' · ',
      'Today ', h(doc, 'time', { datetime: today(), title: today() }, formatDate(today(), { weekday: true })),
      plan?.dates?.programs_review ? [' · Programs review ',
        h(doc, 'time', { datetime: plan.dates.programs_review, title: plan.dates.programs_review }, formatDate(plan.dates.programs_review)),
        ` (${describeDays(daysBetween(today(), plan.dates.programs_review))})`] : null);
  }

  function describeDays(days) {
    if (days === null) return '';
    if (days === 0) return 'today';
    if (days > 0) return days === 1 ? 'tomorrow' : `in ${days} days`;
    return days === -1 ? 'yesterday' : `${-days} days ago`;
  }

  function renderInvalid() {
    if (!diagnostics?.length) {
      invalid.hidden = true;
      fill(invalid);
      return;
    }
    invalid.hidden = false;
    fill(invalid,
      h(doc, 'p', {}, h(doc, 'strong', {}, 'A file of your plan has a problem.'),
        ' lorsync keeps showing the last valid version until it is fixed:'),
      h(doc, 'ul', {}, diagnostics.map((d) => h(doc, 'li', {},
        h(doc, 'code', {}, `${d.path}${d.line ? `:${d.line}` : ''}${d.column ? `:${d.column}` : ''}`),
        d.field ? ` ${d.field}` : '', `: ${d.message}`))));
  }

  function renderSyncSection(ctx) {
    if (data.sync) renderSync(sections.sync, data.sync, { ...ctx, headingId: id('sync-heading') });
    else if (failures.sync) renderFailure(sections.sync, 'sync', 'sync', 'Sync');
  }

  function context() {
    return {
      actions, busy, plan: data.plan, status: data.status, drafts: data.drafts, today: today(), announce, level: 2,
      now: () => Date.now(),
    };
  }

  function render() {
    if (destroyed || !data.status) return;
    const key = focusKeyInside();
    const ctx = context();
    gate.hidden = true;
    body.hidden = false;
    nav.hidden = false;
    renderHeader();
    renderInvalid();
    renderReadiness(sections.readiness, data.status, { headingId: id('readiness-heading') });
    renderLetters(sections.letters, data.status, { ...ctx, headingId: id('letters-heading') });
    renderDeadlines(sections.deadlines, data.deadlines ?? data.status.next_deadlines, today(),
      { headingId: id('deadlines-heading'), status: data.status });
    if (data.audit) renderFindings(sections.findings, data.audit, { headingId: id('findings-heading') });
    else renderFailure(sections.findings, 'findings', 'audit', 'Findings');
    if (data.programs) renderPrograms(sections.programs, data.programs, { ...ctx, headingId: id('programs-heading') });
    else renderFailure(sections.programs, 'programs', 'programs', 'Programs');
    if (data.plan) {
      const items = PACKET_KINDS.map((kind) => {
        const item = h(doc, 'li.packet-item');
        renderPacketItem(item, data.plan, kind, { level: 3 });
        return item;
      });
      fill(sections.packet, h(doc, 'h2', { id: id('packet-heading') }, 'Packet'),
        h(doc, 'p.section-note', {}, 'What your writers got to help them write: who has each item, and since when.'),
        h(doc, 'ul.packet', {}, items));
    } else {
      renderFailure(sections.packet, 'packet', 'plan', 'Packet');
    }
    renderSyncSection(ctx);
    restoreFocus(key);
    options.onUpdate?.({ ...data });
  }

  function markChanged(paths) {
    for (const path of paths) {
      const entity = entityOfPath(path);
      if (!entity) continue;
      const card = container.querySelector(`[data-${entity.kind}="${entity.id.replace(/[^a-z0-9-]/g, '')}"].card`);
      card?.classList.add('just-changed');
    }
  }

  function describePaths(paths) {
    const names = paths.map((path) => {
      const entity = entityOfPath(path);
      if (entity?.kind === 'letter' && data.status) return `${writerOf(data.status, entity.id)}'s letter`;
      if (entity?.kind === 'program' && data.programs) return data.programs.find((p) => p.id === entity.id)?.name ?? path;
      return path;
    });
    return names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
  }

  // ----- fetching
  // The email of each letter's next step, as a mailto: URL; a letter whose draft fails just has no link.
  async function fetchDrafts(status) {
    const rows = status.letters.filter((row) => row.next_step);
    const drafts = await Promise.allSettled(rows.map((row) => client.letterDraft({ letter: row.letter })));
    return Object.fromEntries(rows.flatMap((row, index) =>
      drafts[index].status === 'fulfilled' ? [[row.letter, drafts[index].value]] : []));
  }

  async function fetchAll() {
    const calls = {
      status: () => client.planStatus(),
      plan: () => client.planGet({}),
      audit: () => client.auditRun(),
      deadlines: () => client.deadlinesList({}),
      programs: () => client.programsList(),
      sync: () => client.syncStatus(),
    };
    const keys = Object.keys(calls);
    const results = await Promise.allSettled(keys.map((key) => calls[key]()));
    if (destroyed) return;
    let lost = false;
    results.forEach((result, index) => {
      const key = keys[index];
      if (result.status === 'fulfilled') {
        data[key] = result.value;
        delete failures[key];
      } else {
        const code = result.reason?.code;
        if (code === -32001 || code === -31002) lost = true;  // the state handler says so
        else failures[key] = result.reason;
      }
    });
    if (lost || !data.status) {
      if (!data.status && failures.status) showGate(`lorsyncd answered with a problem: ${describeError(failures.status)}`);
      return;
    }
    data.drafts = await fetchDrafts(data.status);
    if (destroyed) return;
    // Until this page's own commits are answered, their plan.changed cannot be told from others'.
    const changes = committing ? [] : pendingChanges.splice(0).filter((change) => !ownCommits.has(change.commit));
    render();
    if (changes.length) {
      const paths = [...new Set(changes.flatMap((change) => change.paths))];
      const sources = [...new Set(changes.map((change) => SOURCE_WORDS[change.source] ?? change.source))];
      markChanged(paths);
      announce(`Updated ${sources.join(' and ')}: ${describePaths(paths)}.`, 'info');
    }
  }

  /** Re-fetches everything now (a refresh in flight is followed by one more). */
  function refresh() {
    clearTimer(refreshTimer);
    refreshTimer = null;
    if (refreshing) {
      again = true;
      return refreshing;
    }
    refreshing = (async () => {
      do {
        again = false;
        await fetchAll();
      } while (again && !destroyed);
    })().catch((error) => announce(describeError(error), 'error'))
      .finally(() => { refreshing = null; });
    return refreshing;
  }

  function scheduleRefresh() {
    if (destroyed || refreshTimer !== null) return;
    refreshTimer = setTimer(refresh, COALESCE_MS);
  }

  // ----- connection state
  function showGate(text, ...more) {
    gate.hidden = false;
    fill(gate, h(doc, 'p.gate-text', {}, text), ...more);
  }

  function forgetData() {
    closeDialogs(doc);
    for (const key of Object.keys(data)) data[key] = null;
    body.hidden = true;
    nav.hidden = true;
    for (const node of Object.values(sections)) fill(node);
    title.textContent = 'Letters of recommendation';
    fill(subtitle);
    diagnostics = null;
    renderInvalid();
  }

  const code = (text) => h(doc, 'code', {}, text);
  function onState({ state, error }) {
    if (destroyed) return;
    // The client says 'reconnecting' again after each failed retry: only a change is news (and
    // re-arming the slow-connection timer each time would keep its hint from ever showing).
    if (state === lastState) return;
    lastState = state;
    connection.dataset.state = state;
    connection.querySelector('.connection-text').textContent = CONNECTION_WORDS[state] ?? state;
    clearTimer(slowTimer);
    if (state === 'open') {
      if (everOpen && messages.dataset.kind === 'connection') announce('Connected to lorsyncd again.', 'ok');
      everOpen = true;
      if (!data.status) showGate('Loading your plan…');
    } else if (state === 'reconnecting') {
      if (everOpen && data.status) announce('The connection to lorsyncd was lost. Reconnecting; what you see may be out of date.', 'connection');
      else showGate('Waiting for lorsyncd… it does not answer yet. This page connects by itself once it runs.');
      slowTimer = setTimer(() => showSlowHint(), options.slowAfterMs ?? SLOW_RECONNECT_MS);
    } else if (state === 'unauthorized') {
      const wasOpen = everOpen;
      forgetData();
      showGate(wasOpen
        ? 'lorsyncd was restarted and made a new key, so this page\'s key no longer works.'
        : 'lorsyncd did not accept the key in this page\'s link. It makes a new key each time it starts, so a link from an earlier start stops working.',
      options.unauthorizedHelp
        ? h(doc, 'p', {}, options.unauthorizedHelp)
        : h(doc, 'p', {}, 'Run ', code('lorsync open'), ' to open the dashboard with the current key (', code('lorsync open --print'), ' prints the link).'));
      clearMessage();
      options.onUnauthorized?.({ wasOpen, error });
    } else if (state === 'closed' && !destroyed) {
      showGate('Disconnected from lorsyncd.');
    }
  }

  function showSlowHint() {
    const text = 'lorsyncd has not answered for a while. Is it running? Start it with ';
    const hint = [text, code('lorsyncd'), ' (or ', code('systemctl --user start lorsyncd'), '). If it was restarted on another port, run ',
      code('lorsync open'), ' again.'];
    if (data.status) {
      clearTimer(messageTimer);
      messages.dataset.kind = 'connection';
      fill(messageText, ...hint);
      dismiss.hidden = false;
    } else {
      showGate('Waiting for lorsyncd…', h(doc, 'p', {}, ...hint));
    }
  }

  const offs = [
    client.on('state', onState),
    client.on('reconnected', () => { refresh(); }),
    client.on('plan.changed', (params) => {
      diagnostics = null;
      if (params) pendingChanges.push(params);
      renderInvalid();
      scheduleRefresh();
    }),
    client.on('audit.changed', (report) => { if (report) data.audit = report; scheduleRefresh(); }),
    client.on('deadlines.changed', (list) => { if (Array.isArray(list)) data.deadlines = list; scheduleRefresh(); }),
    client.on('sync.changed', (state) => {
      if (state) {
        data.sync = state;
        if (data.status) renderSyncSection(context());
      }
      scheduleRefresh();
    }),
    client.on('plan.invalid', (params) => {
      diagnostics = params?.diagnostics ?? [];
      renderInvalid();
      announce('An edit left a file of your plan invalid; nothing of it was saved. See the list below.', 'error');
    }),
  ];

  // Relative times ("5 minutes ago") go stale: redraw sync now and then.
  clockTimer = win.setInterval(() => { if (data.sync && data.status) renderSyncSection(context()); }, 30000);

  onState({ state: client.state });
  client.connect().then(() => {
    if (destroyed) return undefined;
    onState({ state: client.state });
    return refresh();
  }, () => { /* the state handler shows it; the client retries unless the key was refused */ });
  client.subscribe().catch(() => { /* remembered: redone after each (re)connect */ });

  return {
    refresh,
    destroy() {
      destroyed = true;
      for (const off of offs) off();
      clearTimer(refreshTimer);
      clearTimer(messageTimer);
      clearTimer(slowTimer);
      win.clearInterval(clockTimer);
      closeDialogs(doc);
      fill(container);
      container.classList.remove('lorsync-dashboard');
    },
  };
}
