// The sync view: the state of sync with the other devices, Sync now, and the open conflicts with a
// button (and a confirmation) to settle each.
// ctx is the host's context for the views, as documented in dom.js.

import {
  h, fill, heading, badge, timeNode, announcer, statusLine, runAction, isBusy, markBusy,
} from './dom.js';
import { confirmDialog } from './dialog.js';
import { syncBadge, relativeTime, countWords } from './derive.js';

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
 * @param {object} [ctx] see dom.js
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
