// The deadlines view: the timeline of what is overdue, due soon, upcoming and done.

import { h, fill, heading, badge, timeNode, sectionNote } from './dom.js';
import { DEADLINE_STATE_LABELS, formatDate, dueLabel, writerOf } from './derive.js';

const DEADLINE_KIND_LABELS = {
  ask: 'Ask', packet: 'Packet', remind: 'Reminder', upload: 'Upload', program: 'Program deadline',
  thank: 'Thank-you', 'share-match': 'Share your Match',
};

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
