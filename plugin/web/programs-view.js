// The programs view: each program's deadline, visa, assigned letters and whether they fit, and its
// suggested set with a button (and a confirmation) to assign it.
// ctx is the host's context for the views, as documented in dom.js.

import {
  uniqueId, h, fill, heading, badge, timeNode, sectionNote, announcer, statusLine, runAction, isBusy,
  markBusy,
} from './dom.js';
import { confirmDialog } from './dialog.js';
import { formatDate, dueLabel, writerOf, countWords, sameIds, programFit, visaLabel } from './derive.js';

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
 * @param {object} [ctx] see dom.js; ctx.status or ctx.plan names the writers
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
