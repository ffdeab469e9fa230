// The DOM helpers of the views of a lorsync plan (shared by the dashboard and the Zotero plugin):
// making elements, a view's status line, and running an action with its buttons drawn busy. Every
// node is made by container.ownerDocument (never a global document), so the same code renders into
// the dashboard's page and into Zotero's windows. The views take a ctx from their host:
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

import { describeError } from './derive.js';

let lastId = 0;
/** An id unique in this module's documents. */
export function uniqueId(prefix) {
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

export function heading(doc, level, text, id) {
  return h(doc, `h${Math.min(Math.max(level, 1), 6)}`, { id }, text);
}

/** A badge: words with a colour (never colour alone). Tones: neutral, progress, good, warn, bad, muted. */
export function badge(doc, text, tone = 'neutral', extra = {}) {
  return h(doc, `span.badge.tone-${tone}`, extra, text);
}

/** A date as words with the ISO date in a <time> (and its tooltip). */
export function timeNode(doc, iso, text) {
  return h(doc, 'time', { datetime: iso, title: iso }, text);
}

export function sectionNote(doc, text) {
  return h(doc, 'p.section-note', {}, text);
}

export function announcer(container, ctx) {
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
export function statusLine(doc, ctx) {
  return typeof ctx.announce === 'function' ? null : h(doc, 'p.view-status', { role: 'status' });
}

// Runs an action while the buttons of `group` say they are busy; reports its failure.
export async function runAction(group, announce, work, doneMessage) {
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

export function isBusy(button) {
  return button.getAttribute('aria-disabled') === 'true';
}

// Draws the buttons of `group` busy when the host says its action is still in flight (ctx.busy).
export function markBusy(group, ctx, key) {
  if (!ctx.busy?.has(key)) return;
  for (const button of group.querySelectorAll('button')) button.setAttribute('aria-disabled', 'true');
  group.setAttribute('aria-busy', 'true');
}
