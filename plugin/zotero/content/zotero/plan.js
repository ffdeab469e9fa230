// The plan window's script: a module of plan.xhtml, so it runs in this window's own global.
// The dashboard shows the connection itself; this adds what only the plugin knows (its settings).
import { mountDashboard } from '../web/dashboard.js';
import { createClient, describeProblem, setupProblemOf } from './connection.js';

// A refused token may come from a daemon.json read as lorsyncd restarted: each try reads it again.
const UNAUTHORIZED_RETRY_MS = 3000;

const status = document.getElementById('lorsync-plan-status');
const client = createClient(window);
let retryTimer = null;

client.on('state', ({ state, error }) => {
  // An attempt under way changes nothing yet: the problem shown stays until it ends.
  if (state === 'connecting') return;
  const problem = setupProblemOf(error) || state === 'unauthorized' ? describeProblem(error) : null;
  if (problem) document.l10n.setAttributes(status, problem.l10nID, problem.l10nArgs);
  status.hidden = !problem;
  if (state === 'unauthorized') {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(retry, UNAUTHORIZED_RETRY_MS);
  }
});

function retry() {
  retryTimer = null;
  // Coming from 'unauthorized', the client announces no 'reconnected': the dashboard is told here.
  client.connect().then(() => dashboard.refresh(), () => { /* the state handler shows it, and tries again */ });
}

// mountDashboard connects the client, and follows it through reconnects.
const dashboard = mountDashboard(document.querySelector('main'), client, {
  unauthorizedHelp: await document.l10n.formatValue('lorsync-plan-unauthorized-help'),
});

window.addEventListener('unload', () => {
  clearTimeout(retryTimer);
  dashboard.destroy();
  client.close();
});

// A link would navigate this window away: Zotero's main window opens it (zotero://select shows the item).
document.addEventListener('click', (event) => {
  const link = event.target.closest?.('a[href]');
  if (!link || link.getAttribute('href').startsWith('#')) return;
  event.preventDefault();
  Services.wm.getMostRecentWindow('navigator:browser')?.ZoteroPane.loadURI(link.href);
});
