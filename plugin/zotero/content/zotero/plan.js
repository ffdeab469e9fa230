// The plan window's script: a module of plan.xhtml, so it runs in this window's own global.
// The dashboard shows the connection itself; this adds what only the plugin knows (its settings).
import { mountDashboard } from '../web/dashboard.js';
import { SetupProblem, createClient, describeProblem } from './connection.js';

const status = document.getElementById('lorsync-plan-status');
const client = createClient(window);

client.on('state', ({ state, error }) => {
  const problem = error instanceof SetupProblem || state === 'unauthorized' ? describeProblem(error) : null;
  if (problem) document.l10n.setAttributes(status, problem.l10nID, problem.l10nArgs);
  status.hidden = !problem;
});

// mountDashboard connects the client, and follows it through reconnects.
const dashboard = mountDashboard(document.querySelector('main'), client);

window.addEventListener('unload', () => {
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
