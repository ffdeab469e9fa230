// The findings view: the audit's findings by severity, each with what to do (the commands it
// suggests shown as code, from the finding's own list), its guide section and where in the files.

import { h, fill, heading, badge, sectionNote } from './dom.js';
import { SEVERITIES, SEVERITY_LABELS, groupFindings, countWords } from './derive.js';

// The action's text with each command the finding suggests (finding.commands, each written verbatim
// in the action, in order) shown as code.
function actionWithCommands(doc, action, commands = []) {
  const nodes = [];
  let shown = 0;
  for (const command of commands) {
    const at = action.indexOf(command, shown);
    if (at < 0) continue;
    nodes.push(action.slice(shown, at), h(doc, 'code', {}, command));
    shown = at + command.length;
  }
  nodes.push(action.slice(shown));
  return nodes;
}

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
        finding.action ? h(doc, 'p.finding-action', {}, h(doc, 'span.label', {}, 'What to do'), ' ', actionWithCommands(doc, finding.action, finding.commands)) : null,
        finding.guide ? h(doc, 'p.finding-guide', {}, h(doc, 'span.label', {}, 'Guide'), ' ', finding.guide) : null,
        finding.refs?.length ? h(doc, 'p.finding-where', {}, h(doc, 'span.label', {}, 'Where'), ' ',
          finding.refs.map((ref, index) => [index ? ', ' : '',
            h(doc, 'code', {}, `${ref.path}${ref.line ? `:${ref.line}` : ''}`), ref.field ? ` (${ref.field})` : ''])) : null,
        ))));
  }
  fill(container, parts);
}
