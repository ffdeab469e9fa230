// The letters view: one card per letter with its status, last and next step, and buttons (with a
// confirmation) to record the steps that make sense next.
// ctx is the host's context for the views, as documented in dom.js.

import {
  uniqueId, h, fill, heading, badge, timeNode, sectionNote, announcer, statusLine, runAction, isBusy,
  markBusy,
} from './dom.js';
import { confirmDialog } from './dialog.js';
import {
  EVENT_LABELS, STATUS_LABELS, STATUS_TONES, DEADLINE_STATE_LABELS, SPECIALTY_LABELS, formatDate,
  relativeDays, dueLabel, eventSentence, eventRecorded, lastEvent, writerEntityOf, countWords, originLabel,
  viaWords, VIA_OPTIONS,
} from './derive.js';

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
 * @param {object} [ctx] see dom.js; ctx.plan gives the last step and countries
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
