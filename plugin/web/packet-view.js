// The packet view: one item of the letter packet, its document and who was sent it.

import { h, fill, heading, badge, timeNode } from './dom.js';
import { PACKET_LABELS, formatDate, packetRecipients, packetDocument } from './derive.js';

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
