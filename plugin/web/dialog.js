// The confirmation dialog of the views: a modal <dialog> that asks one clear question, keeps the
// focus while it is open and gives it back to the button that opened it.

import { uniqueId, h } from './dom.js';

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
