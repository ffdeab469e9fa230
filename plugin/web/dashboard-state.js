// What the dashboard knows, apart from how it draws it: the data fetched, what failed to be, the
// page's own commits, the changes from elsewhere not announced yet, the actions in flight, the
// connection, the diagnostics of an invalid plan and the message shown. dashboard.js draws it and
// owns the timers and the client's subscriptions; this module has no DOM and no timers, so that
// each rule (which change is news, when the page may say so) can be tested on its own.

import { writerOf } from './derive.js';

/** The data keys the dashboard fetches, in the order it asks for them. */
export const DATA_KEYS = Object.freeze(['status', 'plan', 'audit', 'deadlines', 'programs', 'sync']);

// A plan.changed comes within moments of its commit: the last few suffice.
export const OWN_COMMITS_KEPT = 50;

// Where a change came from (plan.changed's source), as the announcement says it.
export const SOURCE_WORDS = Object.freeze({
  api: 'through lorsync (the command line, Zotero or another tab)',
  file: 'by an edit to the plan\'s files',
  git: 'by a git commit',
  sync: 'from another device',
});

// The codes the client gives a call cut short by the connection: the connection's state says
// so already, and what the call wanted is fetched again after the reconnect.
const CONNECTION_LOST = new Set([-32001, -31002]);

/** A letter's or a program's file: {kind, id}, else null. */
export function entityOfPath(path) {
  const match = /^(letters|programs)\/([^/]+)\.md$/.exec(path);
  return match ? { kind: match[1] === 'letters' ? 'letter' : 'program', id: match[2] } : null;
}

export class DashboardState {
  /** @param {{today?: string}} [options] today: 'YYYY-MM-DD' to show instead of the daemon's */
  constructor(options = {}) {
    this.todayOverride = options.today;
    this.data = Object.fromEntries(DATA_KEYS.map((key) => [key, null]));
    this.failures = {};           // what could not be fetched, by data key
    this.ownCommits = new Set();  // commits this page made: never announced as changes from elsewhere
    this.pendingChanges = [];     // plan.changed params not announced yet
    this.busy = new Set();        // keys of the actions in flight (dom.js's ctx.busy): drawn busy across redraws
    this.committing = 0;          // own commits not answered yet: their plan.changed may come first
    this.connection = null;       // the client's last state, as the page last showed it
    this.everOpen = false;
    this.diagnostics = null;      // from plan.invalid, until the next valid change
    this.message = null;          // {kind, text} of the message shown, null when none
  }

  /** Whether there is a plan to show (plan.status answered). */
  get ready() {
    return Boolean(this.data.status);
  }

  get today() {
    return this.todayOverride ?? this.data.status?.today;
  }

  // ----- fetching

  /** A fetch of `key` answered: its value replaces what failed before. */
  fetched(key, value) {
    this.data[key] = value;
    delete this.failures[key];
  }

  /** A fetch of `key` failed. Returns true when the connection was lost (then it is not a failure of that part). */
  fetchFailed(key, error) {
    if (CONNECTION_LOST.has(error?.code)) return true;
    this.failures[key] = error;
    return false;
  }

  // ----- notifications that carry their data (each is followed by a refetch of the rest)

  /** audit.changed; returns whether it carried a report. */
  auditChanged(report) {
    if (!report) return false;
    this.data.audit = report;
    return true;
  }

  /** deadlines.changed; returns whether it carried the list. */
  deadlinesChanged(list) {
    if (!Array.isArray(list)) return false;
    this.data.deadlines = list;
    return true;
  }

  /** sync.changed; returns whether it carried the state (then the sync section can be redrawn at once). */
  syncChanged(state) {
    if (!state) return false;
    this.data.sync = state;
    return true;
  }

  /**
   * plan.changed: a valid plan again (the diagnostics go), and a change to announce once the page
   * has fetched what it changed (takeChanges).
   */
  planChanged(params) {
    this.diagnostics = null;
    if (params) this.pendingChanges.push(params);
  }

  /** plan.invalid: what is wrong, shown until the next valid change. */
  planInvalid(params) {
    this.diagnostics = params?.diagnostics ?? [];
  }

  /**
   * After a fetch: the changes from elsewhere to announce, as {paths, text}, or null. While an own
   * commit is unanswered its plan.changed cannot be told from others', so all wait until then;
   * otherwise the pending changes are taken, and this page's own are dropped.
   */
  takeChanges() {
    if (this.committing) return null;
    const changes = this.pendingChanges.splice(0).filter((change) => !this.ownCommits.has(change.commit));
    if (!changes.length) return null;
    const paths = [...new Set(changes.flatMap((change) => change.paths))];
    const sources = [...new Set(changes.map((change) => SOURCE_WORDS[change.source] ?? change.source))];
    return { paths, text: `Updated ${sources.join(' and ')}: ${this.describePaths(paths)}.` };
  }

  /** Whether changes wait for a fetch that nothing else will start (no own commit is unanswered). */
  get changesWaiting() {
    return this.committing === 0 && this.pendingChanges.length > 0;
  }

  /** Changed files in words: a writer's letter, a program's name, else the path; at most three. */
  describePaths(paths) {
    const { status, programs } = this.data;
    const names = paths.map((path) => {
      const entity = entityOfPath(path);
      if (entity?.kind === 'letter' && status) return `${writerOf(status, entity.id)}'s letter`;
      if (entity?.kind === 'program' && programs) return programs.find((p) => p.id === entity.id)?.name ?? path;
      return path;
    });
    return names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
  }

  // ----- actions

  /** An action's buttons are busy from its start until the page shows its outcome. */
  actionStarted(key) {
    this.busy.add(key);
  }

  actionEnded(key) {
    this.busy.delete(key);
  }

  /** A call that commits was sent: its plan.changed may come before its answer. */
  commitStarted() {
    this.committing += 1;
  }

  /** Its answer came: its commit (if it made one) is this page's own. */
  commitAnswered(commit) {
    if (commit) {
      this.ownCommits.add(commit);
      // A Set iterates in insertion order: the first is the oldest.
      if (this.ownCommits.size > OWN_COMMITS_KEPT) this.ownCommits.delete(this.ownCommits.values().next().value);
    }
    this.committing -= 1;
  }

  /** It failed: it made no commit, and changes from elsewhere need not wait for it any more. */
  commitFailed() {
    this.committing -= 1;
  }

  // ----- the connection

  /**
   * The client's state. Returns null when it is no news (the client says 'reconnecting' again after
   * each failed retry), else {state, wasOpen}: wasOpen, the connection had been open before.
   */
  connectionChanged(state) {
    if (state === this.connection) return null;
    this.connection = state;
    const wasOpen = this.everOpen;
    if (state === 'open') this.everOpen = true;
    return { state, wasOpen };
  }

  /** The key was refused: nothing of the plan may stay shown. */
  forget() {
    for (const key of Object.keys(this.data)) this.data[key] = null;
    this.diagnostics = null;
  }

  // ----- the message

  /** kind: 'ok' | 'info' | 'error', or 'connection' (about the lost connection, replaced once it is back). */
  messageShown(kind, text) {
    this.message = { kind, text };
  }

  messageCleared() {
    this.message = null;
  }
}
