// The dashboard: the whole plan on one page, live. mountDashboard(container, client) fetches
// plan.status, plan.get, audit.run, deadlines.list, programs.list and sync.status, subscribes, and
// re-renders when the plan changes (from this page, the CLI, an editor, git or another device) and
// after a reconnect. Used by the browser page (app.js) and the Zotero plugin: it touches no
// globals, only container.ownerDocument and its window's timers. What it knows, and which change
// is news, is dashboard-state.js's, and the page is dashboard-view.js's: this module wires the two
// to the client and to the timers.

import { closeDialogs } from './dialog.js';
import { describeError } from './derive.js';
import { DashboardState } from './dashboard-state.js';
import { createDashboardView } from './dashboard-view.js';

const COALESCE_MS = 40;        // notifications come in bursts (plan.changed, audit.changed, ...)
const MESSAGE_MS = 12000;      // how long a success or info message stays
const SLOW_RECONNECT_MS = 15000;

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

  const state = new DashboardState({ today: options.today });
  const { data, failures } = state;  // the same objects for the page's life
  let destroyed = false;
  let refreshTimer = null;
  let refreshing = null;
  let again = false;
  let messageTimer = null;
  let slowTimer = null;
  let clockTimer = null;

  const view = createDashboardView(container, {
    prefix: options.idPrefix ?? 'lor', connectionState: client.state, onDismiss: clearMessage,
  });

  // ----- messages
  function announce(message, kind = 'info') {
    if (destroyed) return;
    clearTimer(messageTimer);
    state.messageShown(kind, message);
    view.showMessage(kind, message);
    if (kind !== 'error') messageTimer = setTimer(clearMessage, MESSAGE_MS);
  }
  function clearMessage() {
    clearTimer(messageTimer);
    state.messageCleared();
    view.clearMessage();
  }

  // ----- actions, wired to the client
  // Runs a call with its buttons busy until the page shows its outcome. `commits`: the call makes a
  // commit whose plan.changed may arrive before its answer, so changes wait to be announced until then.
  async function act(key, call, { commits = true } = {}) {
    state.actionStarted(key);
    render();
    if (commits) state.commitStarted();
    let counted = commits;
    try {
      const result = await call();
      if (counted) { counted = false; state.commitAnswered(result?.commit); }
      await refresh();
      return result;
    } catch (error) {
      if (counted) { counted = false; state.commitFailed(); }
      // Someone else's change won: show it (describeError says the page now does).
      if (error?.code === -32003) await refresh();
      else if (state.changesWaiting) scheduleRefresh();
      throw error;
    } finally {
      state.actionEnded(key);
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
  function context() {
    return {
      actions, busy: state.busy, plan: data.plan, status: data.status, drafts: data.drafts, today: state.today, announce, level: 2,
      now: () => Date.now(),
    };
  }

  function render() {
    if (destroyed || !state.ready) return;
    view.render(state, context());
    options.onUpdate?.({ ...data });
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
    let lost = false;  // the state handler says so
    results.forEach((result, index) => {
      if (result.status === 'fulfilled') state.fetched(keys[index], result.value);
      else if (state.fetchFailed(keys[index], result.reason)) lost = true;
    });
    if (lost || !state.ready) {
      if (!state.ready && failures.status) view.showGate(`lorsyncd answered with a problem: ${describeError(failures.status)}`);
      return;
    }
    state.fetched('drafts', await fetchDrafts(data.status));
    if (destroyed) return;
    const changes = state.takeChanges();
    render();
    if (changes) {
      view.markChanged(changes.paths);
      announce(changes.text, 'info');
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
  function onState({ state: clientState, error }) {
    if (destroyed) return;
    // The client says 'reconnecting' again after each failed retry: only a change is news (and
    // re-arming the slow-connection timer each time would keep its hint from ever showing).
    const change = state.connectionChanged(clientState);
    if (!change) return;
    const { state: now, wasOpen } = change;
    view.setConnection(now);
    clearTimer(slowTimer);
    if (now === 'open') {
      if (wasOpen && state.message?.kind === 'connection') announce('Connected to lorsyncd again.', 'ok');
      if (!state.ready) view.showGate('Loading your plan…');
    } else if (now === 'reconnecting') {
      if (wasOpen && state.ready) announce('The connection to lorsyncd was lost. Reconnecting; what you see may be out of date.', 'connection');
      else view.showGate('Waiting for lorsyncd… it does not answer yet. This page connects by itself once it runs.');
      slowTimer = setTimer(() => showSlowHint(), options.slowAfterMs ?? SLOW_RECONNECT_MS);
    } else if (now === 'unauthorized') {
      closeDialogs(doc);
      state.forget();
      view.forget(state);
      view.showUnauthorized(wasOpen, options.unauthorizedHelp);
      clearMessage();
      options.onUnauthorized?.({ wasOpen, error });
    } else if (now === 'closed' && !destroyed) {
      view.showGate('Disconnected from lorsyncd.');
    }
  }

  // Over a plan shown, the hint is the message (replaced by "Connected again" once it is back).
  function showSlowHint() {
    if (state.ready) clearTimer(messageTimer);
    const text = view.showSlowHint(state.ready);
    if (state.ready) state.messageShown('connection', text);
  }

  const offs = [
    client.on('state', onState),
    client.on('reconnected', () => { refresh(); }),
    client.on('plan.changed', (params) => {
      state.planChanged(params);
      view.renderInvalid(state);
      scheduleRefresh();
    }),
    client.on('audit.changed', (report) => { state.auditChanged(report); scheduleRefresh(); }),
    client.on('deadlines.changed', (list) => { state.deadlinesChanged(list); scheduleRefresh(); }),
    client.on('sync.changed', (sync) => {
      if (state.syncChanged(sync) && state.ready) view.renderSync(state, context());
      scheduleRefresh();
    }),
    client.on('plan.invalid', (params) => {
      state.planInvalid(params);
      view.renderInvalid(state);
      announce('An edit left a file of your plan invalid; nothing of it was saved. See the list below.', 'error');
    }),
  ];

  // Relative times ("5 minutes ago") go stale: redraw sync now and then.
  clockTimer = win.setInterval(() => { if (data.sync && state.ready) view.renderSync(state, context()); }, 30000);

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
      view.destroy();
    },
  };
}
