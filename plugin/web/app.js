// The dashboard page: takes the key (token) from the link's fragment (#token=...), keeps it for this
// tab only (sessionStorage) and removes it from the address bar, then connects to the lorsyncd that
// served the page and mounts the dashboard. Without a key, it explains how to get the link.

import { LorsyncClient } from '../client/lorsync.js';
import { mountDashboard } from './dashboard.js';

const KEY = 'lorsync.token';
const main = document.querySelector('main');
let memoryToken = null;   // when sessionStorage is unavailable (some privacy settings)
let mounted = null;

function storeToken(token) {
  memoryToken = token;
  try {
    if (token) sessionStorage.setItem(KEY, token);
    else sessionStorage.removeItem(KEY);
  } catch { /* the memory copy serves this page */ }
}

function storedToken() {
  try {
    return sessionStorage.getItem(KEY) ?? memoryToken;
  } catch {
    return memoryToken;
  }
}

// Moves a #token=... from the address bar into the tab's storage. True when there was one.
function takeTokenFromFragment() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (!fragment.has('token')) return false;  // e.g. #lor-letters, a link to a section
  const token = fragment.get('token');
  // Replaces this history entry: the key stays out of the address bar and the history.
  history.replaceState(null, '', location.pathname + location.search);
  if (!token) return false;
  storeToken(token);
  return true;
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

function paragraph(...parts) {
  const node = document.createElement('p');
  node.append(...parts);
  return node;
}

function showNoToken() {
  document.title = 'lorsync dashboard';
  const box = element('div', '', 'gate gate-help');
  box.append(
    element('h1', 'lorsync dashboard', 'title'),
    paragraph('This page shows your letter plan once it has the key lorsyncd made when it started. ',
      'This tab does not have it.'),
    paragraph('Open the dashboard from a terminal with ', element('code', 'lorsync open'),
      ': it opens this page with its key, or prints the link (', element('code', 'lorsync open --print'),
      ') for you to paste here.'),
    paragraph('The key rides in the part of the link after #, which the browser never sends over the network; ',
      'this tab keeps it until you close it.'),
  );
  main.replaceChildren(box);
}

function start() {
  mounted?.destroy();
  mounted = null;
  const token = storedToken();
  if (!token) {
    showNoToken();
    return;
  }
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/rpc`;
  const client = new LorsyncClient({ url, token });
  const dashboard = mountDashboard(main, client, {
    onUpdate: ({ status }) => {
      if (status) document.title = `${status.applicant}: letters · lorsync`;
    },
    onUnauthorized: () => {
      // This key will never work again; a reload explains how to get the new link.
      storeToken(null);
      document.title = 'lorsync dashboard: new link needed';
    },
  });
  mounted = {
    destroy() {
      dashboard.destroy();
      client.close();
    },
  };
}

takeTokenFromFragment();
// A new link pasted into this tab changes only the fragment: no reload, so start again here.
window.addEventListener('hashchange', () => {
  if (takeTokenFromFragment()) start();
});
window.addEventListener('pagehide', (event) => {
  if (!event.persisted) mounted?.destroy();
});
start();
