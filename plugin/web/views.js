// The views of a lorsync plan, shared by the dashboard and the Zotero plugin. Each render function
// replaces the content of `container` with nodes made by container.ownerDocument (never a global
// document), so the same code renders into the dashboard's page and into Zotero's windows.
// Actions (record a letter event, assign letters, settle a conflict, sync) are one click plus a
// confirmation in a <dialog>; the host passes them in ctx.actions as functions returning promises:
//   ctx.actions = { recordEvent(letter, event, {date, via}?), assign(program, letters, {force}?),
//                   resolve(path, field, keep), syncNow() }
// where keep is 'current' (the value the plan has now) or 'other' (the value a merge set aside).
// Other ctx fields, all optional: plan (plan.get, for events and names), status (plan.status),
// today ('YYYY-MM-DD'), level (heading level of the view, default 2), headingId,
// announce(message, kind) where kind is 'ok' | 'error' | 'info' (else a status line of the view's own),
// now() (milliseconds, for "5 minutes ago"), busy (a Set of the
// keys of the actions in flight: 'record:LETTER', 'assign:PROGRAM', 'resolve:PATH:FIELD', 'sync-now';
// their buttons are drawn busy, so a host that re-renders mid-action does not offer them twice).
// Buttons carry data-focus-key, so a host that re-renders can put the focus back where it was.

import {
  EVENT_LABELS, STATUS_LABELS, STATUS_TONES, DEADLINE_STATE_LABELS, SEVERITIES, SEVERITY_LABELS,
  SPECIALTY_LABELS, VIA_OPTIONS, PACKET_LABELS, syncBadge,
  formatDate, relativeDays, dueLabel, relativeTime, eventSentence, eventRecorded, lastEvent,
  writerEntityOf, writerOf, packetRecipients, packetDocument, groupFindings, countWords, sameIds,
  originLabel, programFit, visaLabel, describeError, viaWords,
} from './derive.js';

const DEADLINE_KIND_LABELS = {
  ask: 'Ask', packet: 'Packet', remind: 'Reminder', upload: 'Upload', program: 'Program deadline',
  thank: 'Thank-you', 'share-match': 'Share your Match',
};

let lastId = 0;
/** An id unique in this module's documents. */
function uniqueId(prefix) {
  lastId += 1;
  return `lor-${prefix}-${lastId}`;
}

/**
 * Makes an element: h(doc, 'p.note.muted', {attr: value, onclick: fn, dataset: {...}}, ...children).
 * Children are nodes, strings, or (nested) arrays of them; null, undefined and false are skipped.
 */
export function h(doc, spec, props = {}, ...children) {
  const [tag, ...classes] = spec.split('.');
  const node = doc.createElement(tag);
  if (classes.length) node.className = classes.join(' ');
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') node.className = [node.className, value].filter(Boolean).join(' ');
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (key === 'hidden' || key === 'disabled' || key === 'open') node[key] = Boolean(value);
    else if (key === 'value') node.value = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

/** Replaces the children of `node` with `children` (as h() takes them: nested arrays, nulls skipped). */
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else node.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child);
  }
}

function heading(doc, level, text, id) {
  return h(doc, `h${Math.min(Math.max(level, 1), 6)}`, { id }, text);
}

/** A badge: words with a colour (never colour alone). Tones: neutral, progress, good, warn, bad, muted. */
export function badge(doc, text, tone = 'neutral', extra = {}) {
  return h(doc, `span.badge.tone-${tone}`, extra, text);
}

/** A date as words with the ISO date in a <time> (and its tooltip). */
function timeNode(doc, iso, text) {
  return h(doc, 'time', { datetime: iso, title: iso }, text);
}

function sectionNote(doc, text) {
  return h(doc, 'p.section-note', {}, text);
}

// Shows the commands in a text ("..., then: lorsync set letter x waived=true") as code: `lorsync`, its
// command, then the words that look like arguments (ids, KEY=VALUE, --flags, PLACEHOLDERS, kinds,
// events); plain English after it ("shows a suggestion") is left as text.
const ARGUMENT = /^(--?[a-z][a-z-]*|[A-Z][A-Z_]*(\.\.\.)?|[a-z0-9]+(-[a-z0-9]+)+|[^\s=]+=\S+|\d[\d-]*|letter|writer|program|rotation|plan|asked|agreed|declined|reminded|uploaded|thanked)$/;
function withCommands(doc, text) {
  const nodes = [];
  const words = String(text).split(/(\s+)/);  // words at even indexes, spaces at odd ones
  let plain = '';
  for (let index = 0; index < words.length; index++) {
    const command = words[index] === 'lorsync' ? /^([a-z]+)([.,;:]?)$/.exec(words[index + 2] ?? '') : null;
    if (!command) {
      plain += words[index];
      continue;
    }
    const parts = ['lorsync', command[1]];
    let stop = command[2];
    let next = index + 4;
    while (!stop && next < words.length) {
      const raw = words[next];
      if (ARGUMENT.test(raw)) {
        parts.push(raw);
      } else {
        const [, word, punctuation] = /^(.*?)([.,;:])$/.exec(raw) ?? [];
        if (!word || !ARGUMENT.test(word)) break;
        parts.push(word);
        stop = punctuation;
      }
      next += 2;
    }
    nodes.push(plain, h(doc, 'code', {}, parts.join(' ')), stop);
    plain = '';
    index = next - 2;  // the loop goes on with the space after the command
  }
  nodes.push(plain);
  return nodes;
}

function announcer(container, ctx) {
  if (typeof ctx.announce === 'function') return ctx.announce;
  // No host status line: this view's own (made empty by the render, so screen readers hear it change).
  return (message, kind = 'info') => {
    const line = container.querySelector(':scope > .view-status');
    if (!line) return;
    line.dataset.kind = kind;
    line.textContent = kind === 'error' ? `Problem: ${message}` : message;
  };
}

// The view's own status line, when the host has none (ctx.announce).
function statusLine(doc, ctx) {
  return typeof ctx.announce === 'function' ? null : h(doc, 'p.view-status', { role: 'status' });
}

// Runs an action while the buttons of `group` say they are busy; reports its failure.
async function runAction(group, announce, work, doneMessage) {
  const buttons = [...group.querySelectorAll('button')];
  // aria-disabled rather than disabled: a disabled button would drop the keyboard focus.
  for (const button of buttons) button.setAttribute('aria-disabled', 'true');
  group.setAttribute('aria-busy', 'true');
  try {
    const result = await work();
    const message = typeof doneMessage === 'function' ? doneMessage(result) : doneMessage;
    if (message) announce(message, 'ok');
    return result;
  } catch (error) {
    announce(describeError(error), 'error');
    return undefined;
  } finally {
    for (const button of buttons) button.removeAttribute('aria-disabled');
    group.removeAttribute('aria-busy');
  }
}

function isBusy(button) {
  return button.getAttribute('aria-disabled') === 'true';
}

// Draws the buttons of `group` busy when the host says its action is still in flight (ctx.busy).
function markBusy(group, ctx, key) {
  if (!ctx.busy?.has(key)) return;
  for (const button of group.querySelectorAll('button')) button.setAttribute('aria-disabled', 'true');
  group.setAttribute('aria-busy', 'true');
}

// ---------------------------------------------------------------------------------------------
// The confirmation dialog

function focusableIn(root) {
  return [...root.querySelectorAll('button, input, select, textarea, a[href], [tabindex]:not([tabindex="-1"])')]
    .filter((node) => !node.disabled && !node.hidden && node.getClientRects().length > 0);
}

/** Closes (as if cancelled) the confirmation dialogs open in `doc`: e.g. when the data they name is gone. */
export function closeDialogs(doc) {
  for (const dialog of doc.querySelectorAll('dialog.lor-dialog')) dialog.close();
}

function refocus(doc, opener) {
  let target = opener?.isConnected ? opener : null;
  const key = opener?.dataset?.focusKey;
  if (!target && key) target = [...doc.querySelectorAll('[data-focus-key]')].find((node) => node.dataset.focusKey === key) ?? null;
  target?.focus();
}

/**
 * Asks for a confirmation in a modal <dialog>: a title, one clear sentence, optional extra nodes and
 * fields. Escape or Cancel resolves null; the confirm button resolves the fields' values ({} when
 * none). Focus stays in the dialog while it is open and returns to `opener` (or the element with
 * its data-focus-key, if the opener was re-rendered meanwhile). The dialog opens with the focus on
 * its sentence, so Enter does not commit at once; `focus: 'cancel'` puts it on Cancel instead, for
 * a confirmation that overrides a warning.
 * @param {Document} doc
 * @param {object} options
 * @param {string} options.title
 * @param {string} options.sentence
 * @param {string} options.confirmLabel
 * @param {Element} [options.opener]
 * @param {Array<Node|string>} [options.details] nodes shown under the sentence
 * @param {Array<{name: string, label: string, type: 'date'|'select'|'text', value?: string,
 *   options?: Array<[string, string]>, max?: string, min?: string, maxlength?: number}>} [options.fields]
 * @param {(values: object, sentence: Element) => void} [options.onInput] called when a field changes
 * @param {'default'|'danger'} [options.tone]
 * @param {'sentence'|'cancel'} [options.focus] where the focus starts
 * @returns {Promise<object|null>}
 */
export function confirmDialog(doc, { title, sentence, confirmLabel, opener, details = [], fields = [], onInput, tone = 'default', focus = 'sentence' }) {
  return new Promise((resolve) => {
    const titleId = uniqueId('dialog-title');
    const sentenceId = uniqueId('dialog-sentence');
    const sentenceNode = h(doc, 'p.dialog-sentence', { id: sentenceId, tabindex: '-1' }, sentence);
    const inputs = {};
    const fieldNodes = fields.map((field) => {
      const id = uniqueId(`field-${field.name}`);
      let input;
      if (field.type === 'select') {
        input = h(doc, 'select', { id, name: field.name },
          field.options.map(([value, label]) => h(doc, 'option', { value, selected: value === (field.value ?? '') ? true : null }, label)));
      } else {
        input = h(doc, 'input', { id, name: field.name, type: field.type ?? 'text', max: field.max, min: field.min, maxlength: field.maxlength, autocomplete: 'off' });
        input.value = field.value ?? '';
      }
      inputs[field.name] = input;
      return h(doc, 'div.field', {}, h(doc, 'label', { for: id }, field.label), input);
    });
    const values = () => Object.fromEntries(Object.entries(inputs).map(([name, input]) => [name, input.value]));
    const cancel = h(doc, 'button.button', { type: 'button' }, 'Cancel');
    const confirm = h(doc, `button.button.primary${tone === 'danger' ? '.danger' : ''}`, { type: 'submit' }, confirmLabel);
    const form = h(doc, 'form.dialog-form', { method: 'dialog' },
      h(doc, 'h2.dialog-title', { id: titleId }, title), sentenceNode, details,
      fieldNodes.length ? h(doc, 'div.dialog-fields', {}, fieldNodes) : null,
      h(doc, 'div.dialog-buttons', {}, cancel, confirm));
    const dialog = h(doc, 'dialog.lor-dialog', { 'aria-labelledby': titleId, 'aria-describedby': sentenceId }, form);
    let result = null;

    if (onInput) {
      form.addEventListener('input', () => onInput(values(), sentenceNode));
      form.addEventListener('change', () => onInput(values(), sentenceNode));
    }
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      for (const input of Object.values(inputs)) {
        if (!input.checkValidity()) { input.reportValidity(); return; }
      }
      result = values();
      dialog.close();
    });
    cancel.addEventListener('click', () => dialog.close());
    // A click on the backdrop (the dialog itself, outside its form) cancels.
    dialog.addEventListener('click', (event) => { if (event.target === dialog) dialog.close(); });
    // Keep Tab inside the dialog (a modal dialog alone would let it leave for the browser's UI).
    dialog.addEventListener('keydown', (event) => {
      if (event.key !== 'Tab') return;
      const nodes = focusableIn(dialog);
      if (!nodes.length) return;
      const first = nodes[0];
      const last = nodes[nodes.length - 1];
      // From the sentence (focusable by script only) Tab goes on to the first control.
      const active = doc.activeElement;
      const outside = !nodes.includes(active);
      if (event.shiftKey && (active === first || outside)) { event.preventDefault(); last.focus(); }
      else if (!event.shiftKey && (active === last || outside)) { event.preventDefault(); first.focus(); }
    });
    dialog.addEventListener('close', () => {
      dialog.remove();
      refocus(doc, opener);
      resolve(result);
    }, { once: true });

    (doc.body ?? doc.documentElement).append(dialog);
    dialog.showModal();
    (focus === 'cancel' ? cancel : sentenceNode).focus();
  });
}

// ---------------------------------------------------------------------------------------------
// Readiness

/**
 * The readiness summary: ready or not (words and colour), errors, warnings, notes, how many letters
 * are in, and the next deadline.
 * @param {Element} container
 * @param {object} status plan.status
 * @param {{level?: number, headingId?: string}} [options]
 */
export function renderReadiness(container, status, { level = 2, headingId } = {}) {
  const doc = container.ownerDocument;
  const { ready, errors, warnings, infos } = status.readiness;
  const inHand = status.readiness.letters;
  const shortPrograms = (status.readiness.programs ?? []).filter((p) => !p.ready);
  const next = status.next_deadlines?.[0];
  const lettersWords = `${inHand.uploaded} of ${inHand.needed} letters uploaded${inHand.on_track ? `, ${inHand.on_track} on track` : ''}`;
  const verdict = status.season_over
    ? 'The season is over: Match Day has passed. Thank your writers and tell them where you matched.'
    : ready
      ? `Your letters are in hand or on track: ${lettersWords}.${warnings ? ` ${countWords(warnings, 'warning')} to look at.` : ''}`
      : errors
        ? `${countWords(errors, 'error')} to fix; ${lettersWords}.`
        : `Letters not in hand: ${lettersWords}${shortPrograms.length ? `; ${countWords(shortPrograms.length, 'program')} short` : ''}.`;
  const stat = (count, one, many, tone) => h(doc, `li.stat${count ? `.tone-${tone}` : ''}`, {},
    h(doc, 'span.stat-number', {}, String(count)), ' ', h(doc, 'span.stat-label', {}, count === 1 ? one : many));
  fill(container,
    heading(doc, level, 'Readiness', headingId),
    h(doc, 'div.verdict', { dataset: { ready: String(ready), seasonOver: String(status.season_over) } },
      status.season_over ? badge(doc, 'Season over', 'neutral') : badge(doc, ready ? 'Ready' : 'Not ready', ready ? 'good' : 'bad'),
      h(doc, 'p.verdict-text', {}, verdict)),
    h(doc, 'ul.stats', {},
      stat(errors, 'error', 'errors', 'bad'),
      stat(warnings, 'warning', 'warnings', 'warn'),
      stat(infos, 'note', 'notes', 'progress'),
      h(doc, 'li.stat', {}, h(doc, 'span.stat-number', {}, `${inHand.uploaded}/${inHand.needed}`), ' ',
        h(doc, 'span.stat-label', {}, 'letters uploaded'))),
    next ? h(doc, 'p.next-step', {},
      h(doc, 'span.label', {}, 'Next'), ' ', next.title, ' — ',
      h(doc, 'strong', {}, dueLabel(next, status.today)), ' (', timeNode(doc, next.date, formatDate(next.date, { weekday: true })), ')',
      next.state === 'overdue' || next.state === 'due-soon' ? [' ', badge(doc, DEADLINE_STATE_LABELS[next.state], next.state === 'overdue' ? 'bad' : 'warn')] : null)
      : h(doc, 'p.next-step', {}, 'Nothing left on the calendar.'),
  );
}

// ---------------------------------------------------------------------------------------------
// Letters

function whenWords(date, today) {
  return date === today ? `today (${formatDate(today, { weekday: true })})` : `on ${formatDate(date, { weekday: true })}`;
}

/** Asks to confirm recording `event` for a letter, then records it through ctx.actions.recordEvent. */
async function recordFlow(button, group, row, event, ctx, announce, today) {
  const doc = button.ownerDocument;
  const writer = row.writer;
  const values = await confirmDialog(doc, {
    title: `${EVENT_LABELS[event]}: ${writer}`,
    sentence: eventSentence(event, writer, whenWords(today, today)),
    confirmLabel: `Record ${EVENT_LABELS[event].toLowerCase()}`,
    opener: button,
    details: [h(doc, 'p.dialog-hint', {}, 'lorsync adds this step to the letter and commits it to your plan.')],
    fields: [
      { name: 'date', label: 'Date', type: 'date', value: today, max: today || undefined },
      { name: 'via', label: 'How (optional)', type: 'select', value: '', options: [['', 'Not recorded'], ...VIA_OPTIONS] },
    ],
    onInput: ({ date }, sentence) => {
      if (/^\d{4}-\d{2}-\d{2}$/.test(date)) sentence.textContent = eventSentence(event, writer, whenWords(date, today));
    },
  });
  if (!values) return;
  const extra = {};
  if (values.date && values.date !== today) extra.date = values.date;
  if (values.via) extra.via = values.via;
  await runAction(group, announce, () => ctx.actions.recordEvent(row.letter, event, extra),
    eventRecorded(event, writer));
}

/**
 * The letters as cards: writer, specialty, US or home, status, last step, next action and when it
 * is due, and buttons to record the steps that make sense next (with ctx.actions.recordEvent).
 * @param {Element} container
 * @param {object} status plan.status
 * @param {object} [ctx] see the top of this file; ctx.plan gives the last step and countries
 */
export function renderLetters(container, status, ctx = {}) {
  const doc = container.ownerDocument;
  const level = ctx.level ?? 2;
  const today = ctx.today ?? status.today;
  const announce = announcer(container, ctx);
  const rows = status.letters;
  const counts = {};
  for (const row of rows) counts[row.status] = (counts[row.status] ?? 0) + 1;
  const summary = Object.entries(STATUS_LABELS).filter(([key]) => counts[key])
    .map(([key, label]) => `${counts[key]} ${label.toLowerCase()}`).join(' · ');

  const cards = rows.map((row) => {
    const last = ctx.plan ? lastEvent(ctx.plan, row.letter) : null;
    const writerEntity = ctx.plan ? writerEntityOf(ctx.plan, row.letter) : null;
    const headingId = uniqueId('letter');
    const meta = [
      row.specialty ? (SPECIALTY_LABELS[row.specialty] ?? row.specialty) : 'Specialty unknown',
      originLabel(row.origin, writerEntity?.data?.country),
    ];
    const next = row.next_action
      ? h(doc, `p.letter-next${row.due_state ? `.due-${row.due_state}` : ''}`, {},
        h(doc, 'span.label', {}, 'Next'), ' ', row.next_action,
        row.due ? [' — ', h(doc, 'strong', {}, dueLabel({ date: row.due, state: row.due_state }, today)), ' (',
          timeNode(doc, row.due, formatDate(row.due, { weekday: true })), ')'] : null,
        row.due_state === 'overdue' || row.due_state === 'due-soon'
          ? [' ', badge(doc, DEADLINE_STATE_LABELS[row.due_state], row.due_state === 'overdue' ? 'bad' : 'warn')] : null,
        ctx.drafts?.[row.letter]
          ? [' ', h(doc, 'a.draft-email', {
            href: ctx.drafts[row.letter].mailto,
            'aria-label': `Draft the email to ${row.writer} in your mail client`,
            dataset: { letter: row.letter, step: ctx.drafts[row.letter].step },
          }, 'Draft email')] : null)
      : h(doc, 'p.letter-next.done', {}, row.status === 'declined' ? 'Declined: nothing is due for this letter.' : 'Nothing left to do for this letter.');

    let record = null;
    const choices = ctx.actions?.recordEvent ? row.next_events : [];
    if (choices.length) {
      const labelId = uniqueId('record');
      record = h(doc, 'div.record', { role: 'group', 'aria-labelledby': `${labelId} ${headingId}` },
        h(doc, 'span.record-label', { id: labelId }, 'Record'));
      for (const event of choices) {
        const button = h(doc, 'button.button.small', {
          type: 'button',
          'aria-label': `Record ${EVENT_LABELS[event].toLowerCase()} for ${row.writer}`,
          dataset: { focusKey: `record:${row.letter}:${event}`, letter: row.letter, event },
        }, EVENT_LABELS[event]);
        button.addEventListener('click', () => {
          if (!isBusy(button)) recordFlow(button, record, row, event, ctx, announce, today);
        });
        record.append(button);
      }
      markBusy(record, ctx, `record:${row.letter}`);
    }

    return h(doc, 'li.card.letter', { dataset: { letter: row.letter, status: row.status, focusKey: `letter:${row.letter}` }, tabindex: '-1', 'aria-labelledby': headingId },
      h(doc, 'div.card-head', {},
        heading(doc, level + 1, row.writer, headingId),
        badge(doc, STATUS_LABELS[row.status] ?? row.status, STATUS_TONES[row.status] ?? 'neutral', { class: 'letter-status' })),
      h(doc, 'p.meta', {}, meta.join(' · '), ' · ', h(doc, 'span.id', {}, row.letter)),
      last ? h(doc, 'p.letter-last', {}, h(doc, 'span.label', {}, 'Last step'), ' ',
        `${EVENT_LABELS[last.event] ?? last.event} `, timeNode(doc, last.date, formatDate(last.date)),
        last.via ? ` ${viaWords(last.via)}` : '', ` (${relativeDays(last.date, today)})`) : null,
      next,
      record);
  });

  fill(container,
    heading(doc, level, 'Letters', ctx.headingId),
    statusLine(doc, ctx),
    rows.length ? sectionNote(doc, `${countWords(rows.length, 'letter')}: ${summary}.`) : null,
    rows.length ? h(doc, 'ul.cards.letters', {}, cards)
      : h(doc, 'p.empty', {}, 'No letters yet. Add one with ', h(doc, 'code', {}, 'lorsync add letter ID --set writer=WRITER'), '.'),
  );
}

// ---------------------------------------------------------------------------------------------
// Deadlines

function deadlineItem(doc, deadline, today, names) {
  const tone = { overdue: 'bad', 'due-soon': 'warn', upcoming: 'neutral', done: 'muted' }[deadline.state] ?? 'neutral';
  return h(doc, `li.tl-item.state-${deadline.state}`, { dataset: { deadline: deadline.id } },
    h(doc, 'p.tl-when', {},
      timeNode(doc, deadline.date, formatDate(deadline.date, { weekday: true })), ' · ',
      h(doc, 'strong', {}, dueLabel(deadline, today)),
      deadline.state !== 'upcoming' ? [' ', badge(doc, DEADLINE_STATE_LABELS[deadline.state] ?? deadline.state, tone)] : null),
    h(doc, 'p.tl-title', {}, deadline.title),
    h(doc, 'p.tl-kind', {}, DEADLINE_KIND_LABELS[deadline.kind] ?? deadline.kind,
      deadline.letter && names ? ` · ${writerOf(names, deadline.letter)}` : ''));
}

/**
 * The deadlines on a timeline: overdue first, a marker for today, then what comes; done ones folded
 * away. `limit` caps the open deadlines shown.
 * @param {Element} container
 * @param {object[]} deadlines deadlines.list (or status.next_deadlines)
 * @param {string} today 'YYYY-MM-DD'
 * @param {{limit?: number, level?: number, headingId?: string, showDone?: boolean, status?: object}} [options]
 *   status (plan.status) or plan (plan.get) names the writers
 */
export function renderDeadlines(container, deadlines, today, { limit, level = 2, headingId, showDone = true, status, plan } = {}) {
  const doc = container.ownerDocument;
  const names = status ?? plan ?? null;
  const open = deadlines.filter((deadline) => deadline.state !== 'done');
  const done = deadlines.filter((deadline) => deadline.state === 'done');
  const shown = limit ? open.slice(0, limit) : open;
  const overdue = open.filter((deadline) => deadline.state === 'overdue').length;
  const soon = open.filter((deadline) => deadline.state === 'due-soon').length;

  const items = [];
  let markerPlaced = false;
  const marker = () => h(doc, 'li.tl-today', {},
    h(doc, 'span', {}, 'Today, ', timeNode(doc, today, formatDate(today, { weekday: true }))));
  for (const deadline of shown) {
    if (!markerPlaced && today && deadline.date >= today && deadline.state !== 'overdue') {
      items.push(marker());
      markerPlaced = true;
    }
    items.push(deadlineItem(doc, deadline, today, names));
  }
  if (!markerPlaced && today && shown.length) items.push(marker());

  const summary = [overdue ? `${overdue} overdue` : null, soon ? `${soon} due within a week` : null,
    `${open.length} open`, done.length ? `${done.length} done` : null].filter(Boolean).join(' · ');
  fill(container,
    heading(doc, level, 'Deadlines', headingId),
    sectionNote(doc, summary),
    shown.length ? h(doc, 'ol.timeline', {}, items) : h(doc, 'p.empty', {}, 'Nothing is due: every step on the calendar is done.'),
    limit && open.length > shown.length ? h(doc, 'p.more', {}, `and ${open.length - shown.length} more later`) : null,
    showDone && done.length ? h(doc, 'details.done-deadlines', {},
      h(doc, 'summary', {}, `Done (${done.length})`),
      h(doc, 'ol.timeline.done', {}, done.map((deadline) => deadlineItem(doc, deadline, today, names)))) : null,
  );
}

// ---------------------------------------------------------------------------------------------
// Findings

/**
 * The audit's findings grouped by severity (errors, warnings, notes), each with what to do, the
 * guide section it comes from, and where in the files.
 * @param {Element} container
 * @param {object} audit audit.run (an AuditReport)
 * @param {{level?: number, headingId?: string}} [options]
 */
export function renderFindings(container, audit, { level = 2, headingId } = {}) {
  const doc = container.ownerDocument;
  const groups = groupFindings(audit.findings);
  const tones = { error: 'bad', warning: 'warn', info: 'progress' };
  const parts = [heading(doc, level, 'Findings', headingId),
    sectionNote(doc, `${countWords(audit.errors, 'error')}, ${countWords(audit.warnings, 'warning')}, ${countWords(audit.infos, 'note')}.`)];
  if (!audit.findings.length) parts.push(h(doc, 'p.empty', {}, 'Nothing to fix: the audit found no problems.'));
  for (const severity of SEVERITIES) {
    const findings = groups[severity];
    if (!findings.length) continue;
    parts.push(heading(doc, level + 1, `${SEVERITY_LABELS[severity].many} (${findings.length})`),
      h(doc, `ul.findings.severity-${severity}`, {}, findings.map((finding) => h(doc, 'li.finding', { dataset: { rule: finding.rule } },
        h(doc, 'p.finding-message', {}, badge(doc, SEVERITY_LABELS[severity].one, tones[severity]), ' ', finding.message),
        finding.action ? h(doc, 'p.finding-action', {}, h(doc, 'span.label', {}, 'What to do'), ' ', withCommands(doc, finding.action)) : null,
        finding.guide ? h(doc, 'p.finding-guide', {}, h(doc, 'span.label', {}, 'Guide'), ' ', finding.guide) : null,
        finding.refs?.length ? h(doc, 'p.finding-where', {}, h(doc, 'span.label', {}, 'Where'), ' ',
          finding.refs.map((ref, index) => [index ? ', ' : '',
            h(doc, 'code', {}, `${ref.path}${ref.line ? `:${ref.line}` : ''}`), ref.field ? ` (${ref.field})` : ''])) : null,
        ))));
  }
  fill(container, parts);
}

// ---------------------------------------------------------------------------------------------
// Programs

async function assignFlow(button, group, program, ctx, names, announce) {
  const doc = button.ownerDocument;
  const letters = program.suggestion.map((item) => item.letter);
  const force = program.suggestion_problems.length > 0;
  const replaced = program.assigned.length
    ? h(doc, 'p.dialog-hint', {}, `This replaces the letters assigned now: ${program.assigned.map((id) => writerOf(names, id)).join(', ')}.`)
    : null;
  const values = await confirmDialog(doc, {
    title: `Assign letters: ${program.name}`,
    sentence: `Assign these ${countWords(letters.length, 'letter')} to ${program.name}?`,
    confirmLabel: force ? 'Assign anyway' : 'Assign',
    focus: force ? 'cancel' : 'sentence',
    opener: button,
    details: [
      h(doc, 'ol.dialog-list', {}, program.suggestion.map((item) => h(doc, 'li', {}, item.reason))),
      replaced,
      force ? h(doc, 'p.dialog-warning', {}, 'Even this set does not meet: ', program.suggestion_problems.join('; '), '.') : null,
      h(doc, 'p.dialog-hint', {}, 'lorsync records the assignment in your plan; choose the same letters for this program in ERAS.'),
    ],
  });
  if (!values) return;
  await runAction(group, announce, () => ctx.actions.assign(program.id, letters, force ? { force: true } : undefined),
    `Assigned ${countWords(letters.length, 'letter')} to ${program.name}.`);
}

/**
 * The programs: deadline, visa, the letters assigned and whether they fit, and the suggested set with
 * a button to assign it (ctx.actions.assign).
 * @param {Element} container
 * @param {object[]} programs programs.list
 * @param {object} [ctx] see the top of this file; ctx.status or ctx.plan names the writers
 */
export function renderPrograms(container, programs, ctx = {}) {
  const doc = container.ownerDocument;
  const level = ctx.level ?? 2;
  const today = ctx.today ?? ctx.status?.today;
  const names = ctx.status ?? ctx.plan ?? null;
  const announce = announcer(container, ctx);
  const sorted = [...programs].sort((a, b) => (a.deadline ?? '9999').localeCompare(b.deadline ?? '9999') || a.id.localeCompare(b.id));
  const fitting = programs.filter((program) => program.assigned_fits).length;
  const nameOf = (id) => (names ? writerOf(names, id) : id);

  const cards = sorted.map((program) => {
    const headingId = uniqueId('program');
    const fit = programFit(program);
    const visa = visaLabel(program.sponsors_visa);
    const suggested = program.suggestion.map((item) => item.letter);
    const matches = program.assigned.length > 0 && sameIds(program.assigned, suggested);
    let actions = null;
    if (suggested.length && !matches && ctx.actions?.assign) {
      actions = h(doc, 'div.program-actions', { role: 'group', 'aria-labelledby': headingId });
      const button = h(doc, 'button.button.small', {
        type: 'button',
        'aria-label': `Assign suggested letters to ${program.name}`,
        dataset: { focusKey: `assign:${program.id}`, program: program.id },
      }, 'Assign suggested letters');
      button.addEventListener('click', () => { if (!isBusy(button)) assignFlow(button, actions, program, ctx, names, announce); });
      actions.append(button);
      markBusy(actions, ctx, `assign:${program.id}`);
    }
    return h(doc, 'li.card.program', { dataset: { program: program.id, fit: fit.tone, focusKey: `program:${program.id}` }, tabindex: '-1', 'aria-labelledby': headingId },
      h(doc, 'div.card-head', {},
        heading(doc, level + 1, program.name, headingId),
        badge(doc, fit.label, fit.tone, { class: 'program-fit' })),
      h(doc, 'p.meta', {},
        program.deadline
          ? [h(doc, 'span.label', {}, 'Deadline'), ' ', timeNode(doc, program.deadline, formatDate(program.deadline)),
            today ? ` (${dueLabel(program.deadline, today)})` : '']
          : 'No deadline recorded',
        ' · ', badge(doc, visa.label, visa.tone)),
      program.deadline_ok ? null : h(doc, 'p.program-warning', {}, badge(doc, 'Early deadline', 'warn'),
        ' Its deadline comes before programs start reviewing: letters uploaded on time may still be late here.'),
      h(doc, 'p.program-letters', {}, h(doc, 'span.label', {}, 'Assigned'), ' ',
        program.assigned.length ? program.assigned.map(nameOf).join(', ') : h(doc, 'span.muted', {}, 'none yet')),
      program.assigned_problems.length ? h(doc, 'ul.problems', {}, program.assigned_problems.map((text) => h(doc, 'li', {}, text))) : null,
      matches ? h(doc, 'p.program-match', {}, 'Matches the suggested set.')
        : suggested.length ? h(doc, 'p.program-letters.suggested', {}, h(doc, 'span.label', {}, 'Suggested'), ' ',
          suggested.map(nameOf).join(', ')) : null,
      program.suggestion_problems.length ? h(doc, 'p.program-warning', {}, 'Even the suggested set does not meet: ', program.suggestion_problems.join('; '), '.') : null,
      actions);
  });

  fill(container,
    heading(doc, level, 'Programs', ctx.headingId),
    statusLine(doc, ctx),
    programs.length ? sectionNote(doc, `${countWords(programs.length, 'program')}, ${fitting} with assigned letters that fit. Soonest deadline first.`) : null,
    programs.length ? h(doc, 'ul.cards.programs', {}, cards)
      : h(doc, 'p.empty', {}, 'No programs yet. Add one with ', h(doc, 'code', {}, 'lorsync add program ID --set name="..."'), '.'),
  );
}

// ---------------------------------------------------------------------------------------------
// Packet

/**
 * One item of the letter packet (cv, personal-statement, scores, photo, summary): the document
 * plan.yaml names for it, and which writers were sent it, when.
 * @param {Element} container
 * @param {object} plan plan.get
 * @param {string} kind
 * @param {{level?: number}} [options]
 */
export function renderPacketItem(container, plan, kind, { level = 3 } = {}) {
  const doc = container.ownerDocument;
  const item = packetDocument(plan, kind);
  const recipients = packetRecipients(plan, kind);
  const sent = recipients.filter((recipient) => recipient.sent);
  const waiting = recipients.filter((recipient) => !recipient.sent);
  fill(container,
    heading(doc, level, PACKET_LABELS[kind] ?? kind),
    item ? h(doc, 'p.packet-document', {}, item.title,
      item.zotero ? [' · ', h(doc, 'a', { href: item.zotero }, 'Show in Zotero')] : null,
      item.file ? [' · ', h(doc, 'code', {}, item.file)] : null) : null,
    recipients.length ? h(doc, 'ul.packet-recipients', {}, [
      ...sent.map((recipient) => h(doc, 'li', { dataset: { letter: recipient.letter } },
        recipient.writer, ': sent ', timeNode(doc, recipient.sent, formatDate(recipient.sent)))),
      ...waiting.map((recipient) => h(doc, 'li', { dataset: { letter: recipient.letter } },
        recipient.writer, ': ', badge(doc, 'Not sent yet', 'warn'))),
    ]) : h(doc, 'p.muted', {}, 'In no letter\'s packet yet.'),
  );
  container.dataset.kind = kind;
}

// ---------------------------------------------------------------------------------------------
// Sync

// Which conflicts can keep either value: a field's. Both texts of notes or a text file are in the file
// already (the merge kept both), and both versions of a file are saved: those are only marked settled.
function keepsEither(conflict) {
  return !['file', 'notes', 'text'].includes(conflict.field);
}

// What settling asks and says, by kind of conflict and by the value kept (`keep`, as sync.resolve takes it).
function resolveWords(conflict, keep) {
  const { path, field, kept, lost } = conflict;
  if (field === 'file') {
    return {
      sentence: `Mark the two versions of ${path} as settled? Both files stay: ${kept} and ${lost}.`,
      confirm: 'Mark settled', done: `Settled: ${path}.`,
    };
  }
  if (!keepsEither(conflict)) {
    return {
      sentence: `Mark the ${field} of ${path} as settled? Both texts are in the file, one after the other: edit them down to one yourself.`,
      confirm: 'Mark settled', done: `Settled: ${field} in ${path}.`,
    };
  }
  if (keep === 'other') {
    return {
      sentence: `Put “${lost}” back as ${field} in ${path}, in place of “${kept}”?`,
      hint: `lorsync writes “${lost}” into ${path} and settles the conflict, in one commit.`,
      confirm: `Keep “${lost}”`, done: `Settled: ${field} in ${path} is “${lost}” again.`,
    };
  }
  // The plan may have changed since the merge: settling keeps what it has now, which is not always `kept`.
  return {
    sentence: `Keep “${kept}” for ${field} in ${path}, and forget “${lost}”?`,
    hint: `Settling leaves ${path} as it is and forgets “${lost}”.`,
    confirm: `Keep “${kept}”`, done: `Settled: ${field} in ${path}; “${lost}” is forgotten.`,
  };
}

async function resolveFlow(button, group, conflict, keep, ctx, announce) {
  const doc = button.ownerDocument;
  const words = resolveWords(conflict, keep);
  const values = await confirmDialog(doc, {
    title: 'Settle a sync conflict',
    sentence: words.sentence,
    confirmLabel: words.confirm,
    opener: button,
    details: words.hint ? [h(doc, 'p.dialog-hint', {}, words.hint)] : [],
  });
  if (!values) return;
  await runAction(group, announce, () => ctx.actions.resolve(conflict.path, conflict.field, keep), words.done);
}

/**
 * Sync with the other devices: state in words, the remote, what waits, the last success or error,
 * a Sync now button (ctx.actions.syncNow), and the open conflicts with a button to settle each
 * (ctx.actions.resolve).
 * @param {Element} container
 * @param {object} sync sync.status (a SyncState)
 * @param {object} [ctx] see the top of this file
 */
export function renderSync(container, sync, ctx = {}) {
  const doc = container.ownerDocument;
  const level = ctx.level ?? 2;
  const now = (ctx.now ?? Date.now)();
  const announce = announcer(container, ctx);
  const state = syncBadge(sync);
  const when = (iso) => timeNode(doc, iso, relativeTime(iso, now));
  const facts = [];
  const fact = (term, ...value) => facts.push(h(doc, 'dt', {}, term), h(doc, 'dd', {}, ...value));
  let explanation;
  if (sync.state === 'no-remote') {
    explanation = h(doc, 'p.sync-explain', {}, 'Your plan is only on this device. To use it on others, give it a git remote: ',
      h(doc, 'code', {}, 'lorsync remote URL'), ', then ', h(doc, 'code', {}, 'lorsync sync'), '.');
  } else {
    explanation = {
      starting: 'The first sync round has not run yet.',
      syncing: 'Fetching, merging and sending changes…',
      ok: sync.conflicts?.length
        ? 'Your changes and your other devices\' are merged, but some values were changed on two devices: settle them below.'
        : 'Your changes and your other devices\' are merged.',
      offline: 'The remote cannot be reached; your changes are saved here and wait.',
      error: 'The remote refused or failed: see why below.',
    }[sync.state] ?? '';
    explanation = h(doc, 'p.sync-explain', {}, explanation);
    if (sync.remote) fact('Remote', h(doc, 'code', {}, sync.remote));
    fact('Last synced', sync.last_success ? when(sync.last_success) : 'never');
    if (sync.ahead) fact('Waiting to go out', countWords(sync.ahead, 'change'));
    if (sync.behind) fact('Not merged yet', countWords(sync.behind, 'change'));
    if (sync.last_error) fact('Last error', sync.last_error, sync.failures > 1 ? ` (${sync.failures} failures in a row)` : '');
    if (sync.next_attempt) fact('Next round', when(sync.next_attempt));
  }

  let actions = null;
  if (sync.remote && ctx.actions?.syncNow) {
    actions = h(doc, 'div.sync-actions', {});
    const button = h(doc, 'button.button.small', { type: 'button', dataset: { focusKey: 'sync-now' } }, 'Sync now');
    button.addEventListener('click', () => {
      if (isBusy(button)) return;
      announce('Syncing…', 'info');
      runAction(actions, announce, () => ctx.actions.syncNow(), (report) => (report
        ? `Sync done${report.pushed ? ': changes sent' : ''}${report.received?.length ? `, ${countWords(report.received.length, 'update')} received` : ''}.`
        : null));
    });
    actions.append(button);
    markBusy(actions, ctx, 'sync-now');
  }

  const conflicts = sync.conflicts ?? [];
  const conflictNodes = conflicts.map((conflict) => {
    const group = h(doc, 'div.conflict-actions', {});
    const key = `resolve:${conflict.path}:${conflict.field}`;
    if (ctx.actions?.resolve) {
      // A field's conflict offers both values; its buttons share the action's busy key.
      const choices = keepsEither(conflict)
        ? [['current', conflict.kept], ['other', conflict.lost]].map(([keep, value]) => ({
          keep, label: `Keep “${value}”`, focusKey: `${key}:${keep}`,
          ariaLabel: `Keep “${value}” for ${conflict.field} in ${conflict.path}`,
        }))
        : [{
          keep: 'current', label: 'Mark settled', focusKey: key,
          ariaLabel: conflict.field === 'file' ? `Mark settled: ${conflict.path}` : `Mark settled: ${conflict.field} in ${conflict.path}`,
        }];
      for (const choice of choices) {
        const button = h(doc, 'button.button.small', {
          type: 'button', 'aria-label': choice.ariaLabel, dataset: { focusKey: choice.focusKey },
        }, choice.label);
        button.addEventListener('click', () => { if (!isBusy(button)) resolveFlow(button, group, conflict, choice.keep, ctx, announce); });
        group.append(button);
      }
      markBusy(group, ctx, key);
    }
    return h(doc, 'li.conflict', {},
      h(doc, 'p', {}, h(doc, 'code', {}, conflict.path), ' · ', h(doc, 'code', {}, conflict.field)),
      h(doc, 'p.conflict-values', {},
        h(doc, 'span.label', {}, 'Kept'), ' ', h(doc, 'strong', {}, conflict.kept), ` (from ${conflict.kept_device})`, h(doc, 'br'),
        h(doc, 'span.label', {}, 'Set aside'), ' ', h(doc, 'strong', {}, conflict.lost), ` (from ${conflict.lost_device})`),
      ctx.actions?.resolve ? group : null);
  });

  fill(container,
    heading(doc, level, 'Sync', ctx.headingId),
    statusLine(doc, ctx),
    h(doc, 'div.sync-state', { dataset: { state: sync.state } }, badge(doc, state.label, state.tone), ' ', explanation),
    facts.length ? h(doc, 'dl.facts', {}, facts) : null,
    actions,
    conflicts.length ? [heading(doc, level + 1, `Conflicts to settle (${conflicts.length})`),
      h(doc, 'p.section-note', {}, 'Two devices changed these differently while apart. The later change was kept.'),
      h(doc, 'ul.conflicts', {}, conflictNodes)] : null,
  );
}
