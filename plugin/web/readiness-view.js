// The readiness view: ready or not, the counts of findings and letters, and the next deadline.

import { h, fill, heading, badge, timeNode } from './dom.js';
import { DEADLINE_STATE_LABELS, formatDate, dueLabel, countWords } from './derive.js';

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
