// The dashboard's page: its skeleton (masthead, connection, messages, the invalid plan's problems,
// the gate shown while there is no plan, the sections) and drawing a DashboardState into it.
// It keeps nothing but its nodes and sets no timers: dashboard.js says when to draw and what the
// page says, so that the rules stay in dashboard-state.js and the wiring in dashboard.js.

import { h, fill } from './dom.js';
import { renderReadiness } from './readiness-view.js';
import { renderLetters } from './letters-view.js';
import { renderDeadlines } from './deadlines-view.js';
import { renderFindings } from './findings-view.js';
import { renderPrograms } from './programs-view.js';
import { renderPacketItem } from './packet-view.js';
import { renderSync } from './sync-view.js';
import { PACKET_KINDS, SPECIALTY_LABELS, formatDate, describeError, daysBetween } from './derive.js';
import { entityOfPath } from './dashboard-state.js';

const CONNECTION_WORDS = {
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Reconnecting…',
  unauthorized: 'Key refused',
  closed: 'Disconnected',
};

// In the order of the page (on a wide screen: the main column, then the side column).
const SECTIONS = [
  ['letters', 'Letters'], ['programs', 'Programs'], ['packet', 'Packet'],
  ['deadlines', 'Deadlines'], ['findings', 'Findings'], ['sync', 'Sync'],
];

function describeDays(days) {
  if (days === null) return '';
  if (days === 0) return 'today';
  if (days > 0) return days === 1 ? 'tomorrow' : `in ${days} days`;
  return days === -1 ? 'yesterday' : `${-days} days ago`;
}

/**
 * Builds the skeleton into `container`, empty but for the gate.
 * @param {Element} container
 * @param {{prefix: string, connectionState: string, onDismiss: () => void}} options
 */
export function createDashboardView(container, { prefix, connectionState, onDismiss }) {
  const doc = container.ownerDocument;
  const id = (name) => `${prefix}-${name}`;
  const code = (text) => h(doc, 'code', {}, text);

  const connection = h(doc, 'p.connection', { dataset: { state: connectionState } },
    h(doc, 'span.connection-dot', { 'aria-hidden': 'true' }), h(doc, 'span.connection-text', {}, CONNECTION_WORDS[connectionState] ?? connectionState));
  const title = h(doc, 'h1.title', { tabindex: '-1' }, 'Letters of recommendation');
  const subtitle = h(doc, 'p.subtitle', {}, '');
  const nav = h(doc, 'nav.jump', { 'aria-label': 'Sections', hidden: true }, h(doc, 'ul', {},
    SECTIONS.map(([key, label]) => h(doc, 'li', {}, h(doc, 'a', { href: `#${id(key)}` }, label)))));
  const messageText = h(doc, 'p.message-text', {});
  // A polite live region: never alerts.
  const messages = h(doc, 'div.messages', { role: 'status', 'aria-live': 'polite' }, messageText);
  const dismiss = h(doc, 'button.button.small.quiet', { type: 'button', hidden: true, 'aria-label': 'Dismiss the message' }, 'Dismiss');
  const invalid = h(doc, 'div.invalid-plan', { hidden: true });
  const gate = h(doc, 'div.gate', {}, h(doc, 'p.gate-text', {}, 'Connecting to lorsyncd…'));
  const section = (key) => h(doc, 'section.panel', { id: id(key), 'aria-labelledby': id(`${key}-heading`), dataset: { section: key } });
  const sections = Object.fromEntries([['readiness'], ...SECTIONS].map(([key]) => [key, section(key)]));
  sections.readiness.classList.add('readiness');
  const body = h(doc, 'div.dashboard-body', { hidden: true },
    sections.readiness,
    h(doc, 'div.columns', {},
      h(doc, 'div.column.column-main', {}, sections.letters, sections.programs, sections.packet),
      h(doc, 'div.column.column-side', {}, sections.deadlines, sections.findings, sections.sync)));
  container.classList.add('lorsync-dashboard');
  fill(container,
    h(doc, 'div.masthead', {},
      h(doc, 'div.masthead-text', {}, h(doc, 'p.eyebrow', {}, 'lorsync · letters of recommendation'), title, subtitle),
      connection),
    nav,
    h(doc, 'div.message-bar', {}, messages, dismiss),
    invalid, gate, body);
  dismiss.addEventListener('click', onDismiss);

  function focusKeyInside() {
    const active = doc.activeElement;
    if (!active || !container.contains(active)) return null;
    return active.closest?.('[data-focus-key]')?.dataset.focusKey ?? null;
  }
  function restoreFocus(key) {
    if (!key || (doc.activeElement && doc.activeElement !== doc.body && container.contains(doc.activeElement))) return;
    const nodes = [...container.querySelectorAll('[data-focus-key]')];
    let target = nodes.find((node) => node.dataset.focusKey === key);
    if (!target) {
      // A button that is gone (its step was recorded): its card instead.
      const [kind, entity] = key.split(':');
      const card = { record: 'letter', assign: 'program' }[kind];
      target = card && nodes.find((node) => node.dataset.focusKey === `${card}:${entity}`);
    }
    target?.focus();
  }

  // `sectionKey` names the heading the section is labelled by; `dataKey` what could not be fetched.
  function renderFailure(state, node, sectionKey, dataKey, what) {
    fill(node, h(doc, 'h2', { id: id(`${sectionKey}-heading`) }, what),
      h(doc, 'p.empty', {}, `Could not load this part: ${describeError(state.failures[dataKey])}`));
  }

  function renderHeader(state) {
    const { status } = state.data;
    if (!status) return;
    const today = state.today;
    title.textContent = status.applicant;
    const plan = state.data.plan?.plan?.data;
    fill(subtitle,
      plan?.specialty ? [SPECIALTY_LABELS[plan.specialty] ?? plan.specialty, ' · '] : null,
      `Match ${status.cycle}`, ' · ',
      'Today ', h(doc, 'time', { datetime: today, title: today }, formatDate(today, { weekday: true })),
      plan?.dates?.programs_review ? [' · Programs review ',
        h(doc, 'time', { datetime: plan.dates.programs_review, title: plan.dates.programs_review }, formatDate(plan.dates.programs_review)),
        ` (${describeDays(daysBetween(today, plan.dates.programs_review))})`] : null);
  }

  function renderInvalid(state) {
    const { diagnostics } = state;
    if (!diagnostics?.length) {
      invalid.hidden = true;
      fill(invalid);
      return;
    }
    invalid.hidden = false;
    fill(invalid,
      h(doc, 'p', {}, h(doc, 'strong', {}, 'A file of your plan has a problem.'),
        ' lorsync keeps showing the last valid version until it is fixed:'),
      h(doc, 'ul', {}, diagnostics.map((d) => h(doc, 'li', {},
        h(doc, 'code', {}, `${d.path}${d.line ? `:${d.line}` : ''}${d.column ? `:${d.column}` : ''}`),
        d.field ? ` ${d.field}` : '', `: ${d.message}`))));
  }

  function renderSyncSection(state, ctx) {
    if (state.data.sync) renderSync(sections.sync, state.data.sync, { ...ctx, headingId: id('sync-heading') });
    else if (state.failures.sync) renderFailure(state, sections.sync, 'sync', 'sync', 'Sync');
  }

  // The whole page; ctx is the views' context (dom.js), made by the host.
  function render(state, ctx) {
    const { data } = state;
    const key = focusKeyInside();
    gate.hidden = true;
    body.hidden = false;
    nav.hidden = false;
    renderHeader(state);
    renderInvalid(state);
    renderReadiness(sections.readiness, data.status, { headingId: id('readiness-heading') });
    renderLetters(sections.letters, data.status, { ...ctx, headingId: id('letters-heading') });
    renderDeadlines(sections.deadlines, data.deadlines ?? data.status.next_deadlines, state.today,
      { headingId: id('deadlines-heading'), status: data.status });
    if (data.audit) renderFindings(sections.findings, data.audit, { headingId: id('findings-heading') });
    else renderFailure(state, sections.findings, 'findings', 'audit', 'Findings');
    if (data.programs) renderPrograms(sections.programs, data.programs, { ...ctx, headingId: id('programs-heading') });
    else renderFailure(state, sections.programs, 'programs', 'programs', 'Programs');
    if (data.plan) {
      const items = PACKET_KINDS.map((kind) => {
        const item = h(doc, 'li.packet-item');
        renderPacketItem(item, data.plan, kind, { level: 3 });
        return item;
      });
      fill(sections.packet, h(doc, 'h2', { id: id('packet-heading') }, 'Packet'),
        h(doc, 'p.section-note', {}, 'What your writers got to help them write: who has each item, and since when.'),
        h(doc, 'ul.packet', {}, items));
    } else {
      renderFailure(state, sections.packet, 'packet', 'plan', 'Packet');
    }
    renderSyncSection(state, ctx);
    restoreFocus(key);
  }

  function markChanged(paths) {
    for (const path of paths) {
      const entity = entityOfPath(path);
      if (!entity) continue;
      const card = container.querySelector(`[data-${entity.kind}="${entity.id.replace(/[^a-z0-9-]/g, '')}"].card`);
      card?.classList.add('just-changed');
    }
  }

  function showGate(text, ...more) {
    gate.hidden = false;
    fill(gate, h(doc, 'p.gate-text', {}, text), ...more);
  }

  const slowHint = () => ['lorsyncd has not answered for a while. Is it running? Start it with ', code('lorsyncd'),
    ' (or ', code('systemctl --user start lorsyncd'), '). If it was restarted on another port, run ', code('lorsync open'), ' again.'];

  return {
    render,
    renderInvalid,
    renderSync: renderSyncSection,
    markChanged,
    showGate,

    setConnection(clientState) {
      connection.dataset.state = clientState;
      connection.querySelector('.connection-text').textContent = CONNECTION_WORDS[clientState] ?? clientState;
    },

    showMessage(kind, message) {
      messages.dataset.kind = kind;
      messageText.textContent = kind === 'error' ? `Problem: ${message}` : message;
      dismiss.hidden = false;
    },

    clearMessage() {
      messageText.textContent = '';
      delete messages.dataset.kind;
      if (doc.activeElement === dismiss) title.focus();
      dismiss.hidden = true;
    },

    /** The lost connection's hint: in the message bar over a plan shown, else in the gate. Returns its text. */
    showSlowHint(inMessage) {
      const hint = slowHint();
      if (inMessage) {
        messages.dataset.kind = 'connection';
        fill(messageText, ...hint);
        dismiss.hidden = false;
      } else {
        showGate('Waiting for lorsyncd…', h(doc, 'p', {}, ...hint));
      }
      return hint.map((part) => (typeof part === 'string' ? part : part.textContent)).join('');
    },

    showUnauthorized(wasOpen, help) {
      showGate(wasOpen
        ? 'lorsyncd was restarted and made a new key, so this page\'s key no longer works.'
        : 'lorsyncd did not accept the key in this page\'s link. It makes a new key each time it starts, so a link from an earlier start stops working.',
      help
        ? h(doc, 'p', {}, help)
        : h(doc, 'p', {}, 'Run ', code('lorsync open'), ' to open the dashboard with the current key (', code('lorsync open --print'), ' prints the link).'));
    },

    /** Nothing of the plan stays on the page (the state forgot it). */
    forget(state) {
      body.hidden = true;
      nav.hidden = true;
      for (const node of Object.values(sections)) fill(node);
      title.textContent = 'Letters of recommendation';
      fill(subtitle);
      renderInvalid(state);
    },

    destroy() {
      fill(container);
      container.classList.remove('lorsync-dashboard');
    },
  };
}
