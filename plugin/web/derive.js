// Pure data helpers shared by the dashboard and the Zotero plugin: words for the API's values,
// dates in plain words, what a letter can do next, who got which packet document.
// No DOM and no globals: every function takes what it needs and returns plain values.
// Shapes (Status, Plan, Deadline, ...) are those of schema/openrpc.json.

/** An event as a button or badge says it. */
export const EVENT_LABELS = Object.freeze({
  asked: 'Asked', agreed: 'Agreed', declined: 'Declined', 'packet-sent': 'Packet sent',
  reminded: 'Reminded', uploaded: 'Uploaded', thanked: 'Thanked', 'match-shared': 'Match shared',
});

/** A letter's status (LetterRow.status) in words. */
export const STATUS_LABELS = Object.freeze({
  planned: 'Planned', asked: 'Asked', agreed: 'Agreed', 'packet-sent': 'Packet sent',
  reminded: 'Reminded', uploaded: 'Uploaded', thanked: 'Thanked', declined: 'Declined',
});

/** The colour family of a status: neutral, progress, good or muted (always shown with its words). */
export const STATUS_TONES = Object.freeze({
  planned: 'neutral', asked: 'progress', agreed: 'progress', 'packet-sent': 'progress',
  reminded: 'progress', uploaded: 'good', thanked: 'good', declined: 'muted',
});

/** A deadline's state in words. */
export const DEADLINE_STATE_LABELS = Object.freeze({
  overdue: 'Overdue', 'due-soon': 'Due soon', upcoming: 'Upcoming', done: 'Done',
});

/** Finding severities: one and many. */
export const SEVERITY_LABELS = Object.freeze({
  error: Object.freeze({ one: 'Error', many: 'Errors' }),
  warning: Object.freeze({ one: 'Warning', many: 'Warnings' }),
  info: Object.freeze({ one: 'Note', many: 'Notes' }),
});
export const SEVERITIES = Object.freeze(['error', 'warning', 'info']);

/** The items of a letter packet (plan.yaml `packet` keys, a letter's `packet` list). */
export const PACKET_KINDS = Object.freeze(['cv', 'personal-statement', 'scores', 'photo', 'summary']);
export const PACKET_LABELS = Object.freeze({
  cv: 'CV', 'personal-statement': 'Personal statement', scores: 'Exam scores', photo: 'Photo',
  summary: 'One-page summary',
});

/** A writer's specialty (writer schema) in words. */
export const SPECIALTY_LABELS = Object.freeze({
  pmr: 'PM&R', neurology: 'Neurology', orthopedics: 'Orthopedics',
  'internal-medicine': 'Internal medicine', 'family-medicine': 'Family medicine',
  neurosurgery: 'Neurosurgery', 'trauma-surgery': 'Trauma surgery', other: 'Other specialty',
  'basic-science': 'Basic science',
});

/** How an event happened (letter.record `via`), as offered in forms. */
export const VIA_OPTIONS = Object.freeze([
  ['in-person', 'In person'], ['email', 'By email'], ['phone', 'By phone'], ['eras', 'Through ERAS'],
]);

/** How an event happened, in words for a sentence: "by email"; an unknown value as it is. */
export function viaWords(via) {
  return { 'in-person': 'in person', email: 'by email', phone: 'by phone', eras: 'through ERAS' }[via] ?? via;
}

/** Sync states (SyncState.state) in words, with their colour family. */
export const SYNC_STATE_LABELS = Object.freeze({
  starting: { label: 'Starting', tone: 'neutral' },
  'no-remote': { label: 'This device only', tone: 'neutral' },
  syncing: { label: 'Syncing', tone: 'progress' },
  ok: { label: 'In sync', tone: 'good' },
  offline: { label: 'Offline', tone: 'warn' },
  error: { label: 'Sync failed', tone: 'bad' },
});

/** The sync badge (SyncState): its state in words, except that a sync with conflicts open is not "In sync". */
export function syncBadge(sync) {
  const open = sync.conflicts?.length ?? 0;
  if (sync.state === 'ok' && open) return { label: `Synced · ${countWords(open, 'conflict')} to settle`, tone: 'warn' };
  return SYNC_STATE_LABELS[sync.state] ?? { label: sync.state, tone: 'neutral' };
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
  'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const DAY_MS = 86400000;

/** 'YYYY-MM-DD' (anything after the date is ignored) -> UTC milliseconds, or null. */
export function parseDate(iso) {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(typeof iso === 'string' ? iso : '');
  if (!match) return null;
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
}

/** Whole days from `from` to `to` (both 'YYYY-MM-DD'): positive when `to` is later; null if either is bad. */
export function daysBetween(from, to) {
  const a = parseDate(from);
  const b = parseDate(to);
  return a === null || b === null ? null : Math.round((b - a) / DAY_MS);
}

/**
 * A date in words, the same everywhere (no locale): "17 Aug 2026"; with `weekday`: "Mon 17 Aug 2026";
 * with `long`: "Monday 17 August 2026"; `year: false` leaves the year out.
 */
export function formatDate(iso, { weekday = false, long = false, year = true } = {}) {
  const time = parseDate(iso);
  if (time === null) return iso ?? '';
  const date = new Date(time);
  const month = MONTHS[date.getUTCMonth()];
  const parts = [];
  if (weekday || long) parts.push(long ? WEEKDAYS[date.getUTCDay()] : WEEKDAYS[date.getUTCDay()].slice(0, 3));
  parts.push(String(date.getUTCDate()), long ? month : month.slice(0, 3));
  if (year) parts.push(String(date.getUTCFullYear()));
  return parts.join(' ');
}

// "3 days", "5 weeks", "7 months": days up to two weeks, then weeks up to about two months.
function span(days) {
  if (days < 14) return days === 1 ? '1 day' : `${days} days`;
  if (days < 63) return `${Math.round(days / 7)} weeks`;
  const months = Math.round(days / 30.44);
  return months === 1 ? '1 month' : `${months} months`;
}

/** How far a date is from today, in words: "today", "tomorrow", "in 3 days", "yesterday", "2 weeks ago". */
export function relativeDays(iso, today) {
  const days = daysBetween(today, iso);
  if (days === null) return '';
  if (days === 0) return 'today';
  if (days === 1) return 'tomorrow';
  if (days === -1) return 'yesterday';
  return days > 0 ? `in ${span(days)}` : `${span(-days)} ago`;
}

/**
 * When a deadline is due, in words: "due today", "due tomorrow", "in 3 days", "2 days overdue", or
 * "done". `deadline` is a Deadline (or anything with `date` and maybe `state`) or a 'YYYY-MM-DD'.
 */
export function dueLabel(deadline, today) {
  const date = typeof deadline === 'string' ? deadline : deadline?.date;
  if (typeof deadline === 'object' && deadline?.state === 'done') return 'done';
  const days = daysBetween(today, date);
  if (days === null) return '';
  if (days === 0) return 'due today';
  if (days === 1) return 'due tomorrow';
  if (days > 0) return `in ${span(days)}`;
  return `${span(-days)} overdue`;
}

/**
 * How long ago (or in how long) an ISO 8601 time is from `now` (a Date or milliseconds):
 * "just now", "5 minutes ago", "in 4 minutes", "3 hours ago", "2 days ago".
 */
export function relativeTime(isoTime, now) {
  const time = Date.parse(isoTime ?? '');
  if (Number.isNaN(time)) return '';
  const seconds = Math.round((time - Number(now)) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return seconds < 0 ? 'just now' : 'in a moment';
  const [value, unit] = abs < 3600 ? [Math.round(abs / 60), 'minute']
    : abs < 86400 ? [Math.round(abs / 3600), 'hour'] : [Math.round(abs / 86400), 'day'];
  const words = `${value} ${unit}${value === 1 ? '' : 's'}`;
  return seconds < 0 ? `${words} ago` : `in ${words}`;
}

// What recording an event says: "you asked Dr. X for a letter", "Dr. X agreed to write your letter".
function eventClause(event, writer) {
  return {
    asked: `you asked ${writer} for a letter`,
    agreed: `${writer} agreed to write your letter`,
    declined: `${writer} declined to write your letter`,
    'packet-sent': `you sent ${writer} your packet`,
    reminded: `you reminded ${writer} about your letter`,
    uploaded: `${writer}'s letter was uploaded to ERAS`,
    thanked: `you thanked ${writer}`,
    'match-shared': `you told ${writer} where you matched`,
  }[event] ?? `${event}: ${writer}`;
}

/**
 * The question a confirmation asks before recording an event: "Record that Dr. X agreed to write
 * your letter, today?" `when` is words such as "today" or "on 12 Aug 2026".
 */
export function eventSentence(event, writer, when = 'today') {
  return `Record that ${eventClause(event, writer)}, ${when}?`;
}

/** What a status line says once the event is recorded: "Recorded: you reminded Dr. X about your letter." */
export function eventRecorded(event, writer) {
  return `Recorded: ${eventClause(event, writer)}.`;
}

/** The entity with that id in a list of entities (plan.get's rotations, writers, letters, programs). */
export function byId(entities, id) {
  return (entities ?? []).find((entity) => entity.id === id) ?? null;
}

/** A writer's name for a letter id, from a Plan (plan.get) or Status (plan.status); else the id. */
export function writerOf(source, letterId) {
  const row = (source?.letters ?? []).find((letter) => (letter.letter ?? letter.id) === letterId);
  if (!row) return letterId;
  if (typeof row.writer === 'string' && row.letter) return row.writer;  // LetterRow
  const writer = byId(source.writers, row.data?.writer);
  return writer?.data?.name ?? row.data?.writer ?? letterId;
}

/** A letter's events from a Plan (plan.get), oldest first; [] when unknown. */
function eventsOf(plan, letterId) {
  return [...(byId(plan?.letters, letterId)?.data?.events ?? [])];
}

/** The last event of a letter (from a Plan), or null. */
export function lastEvent(plan, letterId) {
  const events = eventsOf(plan, letterId);
  return events.length ? events[events.length - 1] : null;
}

/** The writer entity of a letter (from a Plan), or null. */
export function writerEntityOf(plan, letterId) {
  return byId(plan?.writers, byId(plan?.letters, letterId)?.data?.writer);
}

/**
 * Who was sent (or is to get) packet item `kind`: the letters whose `packet` lists it, each with its
 * writer's name and the date of the letter's (last) packet-sent event, or null while not sent.
 * @param {object} plan the Plan (plan.get without params)
 * @param {string} kind cv | personal-statement | scores | photo | summary
 * @returns {{writer: string, letter: string, sent: string|null}[]} sorted by letter id
 */
export function packetRecipients(plan, kind) {
  const recipients = [];
  for (const letter of plan?.letters ?? []) {
    if (!(letter.data?.packet ?? []).includes(kind)) continue;
    const sent = (letter.data.events ?? []).filter((event) => event.event === 'packet-sent')
      .map((event) => event.date).sort().pop() ?? null;
    recipients.push({ writer: writerOf(plan, letter.id), letter: letter.id, sent });
  }
  return recipients.sort((a, b) => (a.letter < b.letter ? -1 : a.letter > b.letter ? 1 : 0));
}

/** The packet document plan.yaml records for `kind` ({title, zotero?, file?}), or null. */
export function packetDocument(plan, kind) {
  return plan?.plan?.data?.packet?.[kind] ?? null;
}

function normalizeZoteroUri(uri) {
  return typeof uri === 'string' ? uri.trim().replace(/\/+$/, '') : '';
}

/**
 * Which packet item (cv, personal-statement, ...) plan.yaml links to a Zotero item URI
 * (zotero://select/library/items/KEY), or null.
 */
export function packetKindOf(plan, zoteroUri) {
  const wanted = normalizeZoteroUri(zoteroUri);
  if (!wanted) return null;
  const packet = plan?.plan?.data?.packet ?? {};
  for (const kind of PACKET_KINDS) {
    if (packet[kind]?.zotero && normalizeZoteroUri(packet[kind].zotero) === wanted) return kind;
  }
  return null;
}

/** Findings by severity: {error: [...], warning: [...], info: [...]}, each in the report's order. */
export function groupFindings(findings) {
  const groups = { error: [], warning: [], info: [] };
  for (const finding of findings ?? []) (groups[finding.severity] ?? groups.info).push(finding);
  return groups;
}

/** "1 warning", "4 warnings", "no errors". */
export function countWords(count, one, many = `${one}s`) {
  if (!count) return `no ${many}`;
  return `${count} ${count === 1 ? one : many}`;
}

/** Whether two lists of ids hold the same ids (order aside). */
export function sameIds(a, b) {
  const left = new Set(a ?? []);
  const right = new Set(b ?? []);
  return left.size === right.size && [...left].every((id) => right.has(id));
}

/** Whether a letter is from the US or abroad, in words: "US letter", "Home-country letter (PK)". */
export function originLabel(origin, country) {
  if (origin === 'us') return 'US letter';
  return country && country !== 'US' ? `Home-country letter (${country})` : 'Home-country letter';
}

/** A program's fit in words: {label, tone}. */
export function programFit(program) {
  if (!program.assigned?.length) return { label: 'No letters assigned', tone: 'neutral' };
  return program.assigned_fits ? { label: 'Letters fit', tone: 'good' } : { label: 'Letters do not fit', tone: 'bad' };
}

/** Whether a program sponsors the visa needed, in words: {label, tone}. */
export function visaLabel(sponsorsVisa) {
  if (sponsorsVisa === true) return { label: 'Sponsors your visa', tone: 'good' };
  if (sponsorsVisa === false) return { label: 'Does not sponsor your visa', tone: 'bad' };
  return { label: 'Visa sponsorship unknown', tone: 'neutral' };
}

/**
 * An error of the API in plain words, for a status line: the daemon's message without the method
 * name the client puts in front, plus the reasons the error's data gives.
 * @param {any} error an RpcError (code, message, data, method) or any Error
 */
export function describeError(error) {
  if (!error) return '';
  let message = String(error.message ?? error);
  if (error.method && message.startsWith(`${error.method}: `)) message = message.slice(error.method.length + 2);
  switch (error.code) {
    case -32001:
      return 'lorsyncd refused this page\'s key. Run `lorsync open` for a new link.';
    case -32003:
      return 'Someone changed this first (another device, an editor or the command line). The page now shows the latest version: try again if it is still needed.';
    case -32004: {
      const diagnostics = error.data?.diagnostics ?? [];
      const reasons = diagnostics.map((d) => `${d.path}${d.line ? `:${d.line}` : ''}${d.field ? ` ${d.field}` : ''}: ${d.message}`);
      return reasons.length ? `Not saved: the plan would be invalid. ${reasons.join('; ')}` : `Not saved: ${message}`;
    }
    case -31001:
      return 'lorsyncd did not answer in time. The change may still have been made: the page will show it if so.';
    case -31002:
      return 'The connection to lorsyncd was lost. The page reconnects by itself; try again once it says Live.';
    default: {
      const problems = error.data?.problems ?? [];
      return problems.length ? `${message}: ${problems.join('; ')}` : message;
    }
  }
}
