// The Zotero plugin as it ships: builds it with scripts/build-xpi into a temp folder (or takes
// LORSYNC_XPI, with its updates.json beside it), unpacks it and checks the package: layout,
// manifest and update manifest, preferences, Fluent strings, the files it refers to, and that
// bootstrap.js takes back everything it adds. Zotero cannot run here: that last test drives
// bootstrap.js with a fake Zotero, the only fake in these tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const work = mkdtempSync(join(tmpdir(), 'lorsync-xpi-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

function buildXpi(dir) {
  execFileSync(join(repoRoot, 'scripts/build-xpi'), [dir], { stdio: 'pipe' });
  return join(dir, 'lorsync.xpi');
}

const xpi = process.env.LORSYNC_XPI ? resolve(process.env.LORSYNC_XPI) : buildXpi(join(work, 'build'));
const unpacked = join(work, 'unpacked');
execFileSync('unzip', ['-q', xpi, '-d', unpacked]);
const entries = execFileSync('unzip', ['-Z1', xpi], { encoding: 'utf8' }).split('\n').filter(Boolean);
const read = (entry) => readFileSync(join(unpacked, entry), 'utf8');
const sha256 = (path) => createHash('sha256').update(readFileSync(path)).digest('hex');
// The plugin's own files (the views and the client are checked by their own tests).
const pluginCode = entries.filter((entry) => /\.(js|xhtml)$/.test(entry) && !/^content\/(web|client)\//.test(entry));

function filesUnder(dir, prefix = '') {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith('.')) return [];
    const path = prefix + entry.name;
    return entry.isDirectory() ? filesUnder(join(dir, entry.name), `${path}/`) : [path];
  });
}

test('the xpi holds plugin/zotero at its root, plugin/web under content/web/ and the client under content/client/', () => {
  const pageOnly = ['index.html', 'app.js', 'icon.svg'];  // the browser page's, never loaded by Zotero
  const expected = [
    ...filesUnder(join(repoRoot, 'plugin/zotero')),
    ...filesUnder(join(repoRoot, 'plugin/web')).filter((file) => !pageOnly.includes(file)).map((file) => `content/web/${file}`),
    'content/client/lorsync.js',
  ];
  assert.deepEqual([...entries].sort(), expected.sort());
  for (const needed of ['manifest.json', 'bootstrap.js', 'prefs.js', 'locale/en-US/lorsync.ftl',
    'content/web/dashboard.js', 'content/web/dashboard-state.js', 'content/web/dashboard-view.js',
    'content/web/dom.js', 'content/web/dialog.js', 'content/web/derive.js',
    ...['readiness', 'letters', 'deadlines', 'findings', 'programs', 'packet', 'sync'].map((view) => `content/web/${view}-view.js`)]) {
    assert.ok(entries.includes(needed), `${needed} is in the xpi`);
  }
  assert.deepEqual(entries, [...entries].sort(), 'entries are sorted, as a reproducible zip needs');
});

test('manifest.json is a Zotero 7 plugin manifest, and updates.json offers its version', () => {
  const manifest = JSON.parse(read('manifest.json'));
  assert.equal(manifest.manifest_version, 2);
  assert.ok(manifest.name && manifest.description, 'a name and a description for the Plugins window');
  const zotero = manifest.applications?.zotero;
  assert.match(zotero.id, /^[\w.-]+@[\w.-]+$/);
  assert.match(zotero.update_url, /^https:\/\/[^/]+\/.+\.json$/);
  assert.equal(zotero.strict_min_version, '6.999');
  assert.equal(zotero.strict_max_version, '8.*');
  const [, projectVersion] = /project\(lorsync VERSION ([\d.]+)/.exec(readFileSync(join(repoRoot, 'CMakeLists.txt'), 'utf8'));
  assert.equal(manifest.version, projectVersion, 'the plugin has the version of the project');
  for (const icon of Object.values(manifest.icons)) assert.ok(entries.includes(icon), `icon ${icon} is in the xpi`);

  const updates = JSON.parse(readFileSync(join(dirname(xpi), 'updates.json'), 'utf8'));
  assert.deepEqual(Object.keys(updates.addons), [zotero.id]);
  const [offer, ...others] = updates.addons[zotero.id].updates;
  assert.equal(others.length, 0);
  assert.equal(offer.version, manifest.version);
  assert.match(offer.update_link, /^https:\/\/.+\.xpi$/);
  assert.equal(offer.update_hash, `sha256:${sha256(xpi)}`, 'the hash of this very xpi');
  // Zotero takes the update manifest's bounds over the xpi's: both must be there, and the same.
  assert.equal(offer.applications.zotero.strict_min_version, zotero.strict_min_version);
  assert.equal(offer.applications.zotero.strict_max_version, zotero.strict_max_version);
});

test('prefs.js gives a default to each preference the plugin reads, and only to those', () => {
  const defaults = {};
  vm.runInNewContext(read('prefs.js'), { pref: (name, value) => { defaults[name] = value; } });
  const names = ['extensions.lorsync.planFolder', 'extensions.lorsync.token', 'extensions.lorsync.url'];
  assert.deepEqual(Object.keys(defaults).sort(), names);
  for (const value of Object.values(defaults)) assert.equal(value, '');
  const read_ = new Set(pluginCode.flatMap((file) => [...read(file).matchAll(/extensions\.lorsync\.[\w.]+/g)].map((m) => m[0])));
  assert.deepEqual([...read_].sort(), names);
});

test('every Fluent id the plugin uses is in locale/en-US, and every id there is used', () => {
  const defined = new Map();
  for (const file of entries.filter((entry) => /^locale\/en-US\/[^/]+\.ftl$/.test(entry))) {
    const text = read(file);
    for (const [, id] of text.matchAll(/^([a-zA-Z][\w-]*)\s*=/gm)) {
      assert.ok(!defined.has(id), `${id} is defined once`);
      defined.set(id, file);
    }
    // Not a Fluent parser: the mistakes that would make a message show its id instead.
    for (const message of text.replace(/^#.*$/gm, '').split(/\n(?=[a-zA-Z])/)) {
      assert.equal((message.match(/{/g) ?? []).length, (message.match(/}/g) ?? []).length, `balanced braces in ${message}`);
      if (message.includes('->')) assert.match(message, /^\s+\*\[/m, `a default variant in ${message}`);
    }
  }
  // Where an id can appear: markup attributes, Fluent's DOM calls, and {l10nID} fields (the item
  // pane API's, and describeProblem's answers, which are passed on to setAttributes/formatValue).
  const patterns = [
    /data-l10n-id="([^"]+)"/g,
    /['"]data-l10n-id['"]\s*[:,]\s*['"]([^'"]+)['"]/g,
    /\.setAttributes\([^,()]+,\s*['"]([^'"]+)['"]/g,
    /\.formatValues?\(\s*['"]([^'"]+)['"]/g,
    /\bl10nID:\s*['"]([^'"]+)['"]/g,
  ];
  // The Fluent files themselves, as windows and panes ask for them (Zotero registers locale/*/).
  for (const file of pluginCode) {
    for (const [, ftl] of read(file).matchAll(/(?:href="|insertFTLIfNeeded\(['"])([\w.-]+\.ftl)['"]/g)) {
      assert.ok(entries.includes(`locale/en-US/${ftl}`), `${ftl} (from ${file}) is in locale/en-US`);
    }
  }
  const used = new Map();
  for (const file of pluginCode) {
    for (const pattern of patterns) {
      for (const [, id] of read(file).matchAll(pattern)) used.set(id, file);
    }
  }
  const undefinedIds = [...used].filter(([id]) => !defined.has(id)).map(([id, file]) => `${id} (${file})`);
  assert.deepEqual(undefinedIds, [], 'ids used but not in locale/en-US');
  assert.deepEqual([...defined.keys()].filter((id) => !used.has(id)), [], 'ids in locale/en-US that nothing uses');
});

test('every file the plugin refers to is in the xpi, and modules import only files of the xpi', () => {
  const missing = [];
  const expect = (entry, from) => { if (!entries.includes(entry)) missing.push(`${entry} (from ${from})`); };
  for (const file of entries.filter((entry) => /\.(js|xhtml|html|css|json)$/.test(entry))) {
    for (const [, path] of read(file).matchAll(/chrome:\/\/lorsync\/content\/([\w./-]*)/g)) {
      if (path.endsWith('/') || !path) missing.push(`chrome://lorsync/content/${path} (from ${file}: name whole files, so that they can be checked)`);
      else expect(`content/${path}`, file);
    }
  }
  const imports = [
    /(?:^|[;}\s])import\s+(?:[\w*{}\s,$]+\s+from\s+)?['"]([^'"]+)['"]/g,
    /(?:^|[;}\s])export\s+[\w*{}\s,$]+\s+from\s+['"]([^'"]+)['"]/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  // JSDoc's import('./types.js').Name is not an import: comments are left out.
  const code = (file) => read(file).replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"\\])\/\/.*$/gm, '$1');
  for (const file of entries.filter((entry) => entry.endsWith('.js'))) {
    for (const pattern of imports) {
      for (const [, specifier] of code(file).matchAll(pattern)) {
        if (specifier.startsWith('chrome://')) continue;  // checked above
        if (!specifier.startsWith('./') && !specifier.startsWith('../')) {
          missing.push(`${specifier} (from ${file}: in the xpi, modules can only import relative paths)`);
        } else {
          expect(posix.normalize(posix.join(posix.dirname(file), specifier)), file);
        }
      }
    }
  }
  assert.deepEqual(missing, []);
});

test('scripts/build-xpi gives the same bytes from the same sources',
  { skip: process.env.LORSYNC_XPI ? 'LORSYNC_XPI given: nothing built here' : false }, () => {
    assert.equal(sha256(buildXpi(join(work, 'again'))), sha256(xpi));
  });

// --- bootstrap.js, with a fake Zotero -------------------------------------------------------------

const XHTML = 'http://www.w3.org/1999/xhtml';
const XUL = 'http://www.mozilla.org/keymaster/gatekeeper/there.is.only.xul';

// Just enough DOM for what plugin.js does to a main window, and a way to compare before and after.
class FakeElement {
  constructor(ownerDocument, tagName, namespaceURI) {
    Object.assign(this, { ownerDocument, tagName, namespaceURI, parentNode: null, hidden: false });
    this.attributes = new Map();
    this.children = [];
    this.listeners = new Map();
  }
  get id() { return this.getAttribute('id') ?? ''; }
  set id(value) { this.setAttribute('id', value); }
  get className() { return this.getAttribute('class') ?? ''; }
  set className(value) { this.setAttribute('class', value); }
  get dataset() { return (this.data ??= {}); }
  get textContent() { return this.children.map((child) => child.textContent).join(''); }
  set textContent(text) { this.replaceChildren(text); }
  setAttribute(name, value) { this.attributes.set(name, String(value)); }
  getAttribute(name) { return this.attributes.get(name) ?? null; }
  removeAttribute(name) { this.attributes.delete(name); }
  append(...nodes) {
    for (const given of nodes) {
      const node = typeof given === 'string' ? new FakeText(given) : given;
      node.remove();
      node.parentNode = this;
      this.children.push(node);
    }
  }
  replaceChildren(...nodes) {
    for (const child of [...this.children]) child.remove();
    this.append(...nodes);
  }
  remove() {
    if (!this.parentNode) return;
    this.parentNode.children.splice(this.parentNode.children.indexOf(this), 1);
    this.parentNode = null;
  }
  addEventListener(type, listener) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(listener);
  }
  removeEventListener(type, listener) { this.listeners.get(type)?.delete(listener); }
  dispatch(type) { for (const listener of this.listeners.get(type) ?? []) listener({ type, target: this }); }
  *walk() {
    yield this;
    for (const child of this.children) yield* child.walk();
  }
  querySelector(selector) {
    const [, tagName, name, value] = /^(\w+)\[([\w-]+)="([^"]*)"\]$/.exec(selector);
    return [...this.walk()].find((node) => node.tagName === tagName && node.getAttribute(name) === value) ?? null;
  }
  snapshot() {
    return {
      tag: this.tagName,
      attributes: Object.fromEntries([...this.attributes].sort()),
      listeners: Object.fromEntries([...this.listeners].map(([type, set]) => [type, set.size]).filter(([, n]) => n)),
      children: this.children.map((child) => child.snapshot()),
    };
  }
}

class FakeText {
  constructor(textContent) { Object.assign(this, { textContent, parentNode: null, children: [] }); }
  remove() { FakeElement.prototype.remove.call(this); }
  *walk() { yield this; }
  snapshot() { return this.textContent; }
}

class FakeDocument {
  constructor() {
    this.documentElement = new FakeElement(this, 'html', XHTML);
    for (const id of ['menu_ToolsPopup', 'zotero-itemmenu']) {
      const popup = new FakeElement(this, 'menupopup', XUL);
      popup.id = id;
      this.documentElement.append(popup);
    }
    this.l10n = {
      setAttributes(node, id, args) {
        node.setAttribute('data-l10n-id', id);
        if (args) node.setAttribute('data-l10n-args', JSON.stringify(args));
      },
      formatValue: async (id, args) => `${id} ${JSON.stringify(args ?? {})}`,
    };
  }
  createXULElement(tagName) { return new FakeElement(this, tagName, XUL); }
  createElement(tagName) { return new FakeElement(this, tagName, XHTML); }
  createElementNS(namespace, tagName) { return new FakeElement(this, tagName, namespace); }
  getElementById(id) { return [...this.documentElement.walk()].find((node) => node.id === id) ?? null; }
  querySelector(selector) { return this.documentElement.querySelector(selector); }
}

function fakeMainWindow(selected) {
  const document = new FakeDocument();
  return {
    document,
    ZoteroPane: { getSelectedItems: () => selected },
    // Like Firefox's: one <link rel="localization"> per file (toolkit/content/customElements.js).
    MozXULElement: {
      insertFTLIfNeeded(path) {
        if (document.querySelector(`link[href="${path}"]`)) return;
        const link = document.createElementNS(XHTML, 'link');
        link.setAttribute('rel', 'localization');
        link.setAttribute('href', path);
        document.documentElement.append(link);
      },
    },
    openDialog() {},
  };
}

// The globals Zotero gives bootstrap.js (chrome/content/zotero/xpcom/plugins.js, _loadScope), faked:
// each registration is kept in `live` until it is undone. The daemon.json is the default plan's.
// `daemon` (optional) answers each call: (message) => result; without it, sockets never open.
function fakeZoteroScope({ pluginModule, mainWindows, planWindows, daemon }) {
  const live = { chrome: new Set(), sections: new Map(), panes: new Set(), prefObservers: new Set(), timers: new Map() };
  const sockets = [];
  const sandboxOrigins = [];
  const errors = [];
  const progressWindows = [];
  let nextTimer = 1;
  const files = {
    '/home/applicant/.local/share/lorsync/plan/.lorsync/daemon.json':
      JSON.stringify({ pid: 4242, port: 23231, url: 'http://127.0.0.1:23231/', token: 'f00d' }),
  };
  class FakeSocket {
    constructor(url) {
      this.url = url;
      this.closed = false;
      sockets.push(this);
      if (daemon) setImmediate(() => (daemon.down ? this.onerror?.({}) : this.onopen?.()));
    }
    send(text) {
      if (!daemon) throw new Error('not open');
      const message = JSON.parse(text);
      const result = daemon.answer(message);
      setImmediate(() => this.onmessage?.({ data: JSON.stringify({ jsonrpc: '2.0', id: message.id, result }) }));
    }
    close() {
      if (this.closed) return;
      this.closed = true;
      setImmediate(() => this.onclose?.({ code: 1006, reason: '' }));
    }
  }
  const builtInPanes = ['info', 'abstract', 'attachments', 'notes', 'attachment-info',
    'attachment-annotations', 'libraries-collections', 'tags', 'related'];
  const scope = {
    Zotero: {
      ItemPaneManager: {
        // The checks of Zotero 7's ItemPaneManager._validateSectionOptions.
        registerSection(options) {
          assert.equal(typeof options.paneID, 'string');
          assert.equal(typeof options.pluginID, 'string');
          for (const part of ['header', 'sidenav']) {
            assert.ok(typeof options[part].l10nID === 'string' && options[part].l10nID, `${part}.l10nID`);
            assert.ok(typeof options[part].icon === 'string' && options[part].icon, `${part}.icon`);
          }
          assert.equal(typeof options.onRender, 'function');
          const id = `${options.pluginID}-${options.paneID}`.replace(/[^a-zA-Z0-9-_]/g, '-');
          assert.ok(!builtInPanes.includes(id) && !live.sections.has(id));
          live.sections.set(id, options);
          return id;
        },
        unregisterSection(id) { return live.sections.delete(id); },
      },
      PreferencePanes: {
        async register(options) {
          assert.ok(options.pluginID && options.src, 'pluginID and src');
          const id = `plugin-pane-${live.panes.size}-${options.pluginID}`;
          live.panes.add(id);
          return id;
        },
        unregister(id) { live.panes.delete(id); },
      },
      getMainWindows: () => mainWindows,
      ProgressWindow: class {
        changeHeadline(text) { this.headline = text; }
        addDescription(text) { this.description = text; }
        show() { progressWindows.push(this); }
        startCloseTimer() {}
      },
      API: { getLibraryPrefix: (libraryID) => (libraryID === 1 ? 'library' : `groups/${libraryID}`) },
      logError: (error) => errors.push(error),
    },
    Services: {
      io: { newURI: (spec) => ({ spec }) },
      prefs: {
        getStringPref: (name, fallback) => fallback,
        addObserver: (branch, observer) => live.prefObservers.add(observer),
        removeObserver: (branch, observer) => live.prefObservers.delete(observer),
      },
      wm: {
        getEnumerator: (type) => (type === 'lorsync:plan' ? planWindows : []),
        getMostRecentWindow: () => null,
      },
      dirsvc: { get: () => ({ path: '/home/applicant' }) },
    },
    ChromeUtils: {
      importESModule(url) {
        assert.equal(url, 'chrome://lorsync/content/zotero/plugin.js');
        assert.equal(live.chrome.size, 1, 'chrome://lorsync/ is registered before its modules load');
        return pluginModule;
      },
    },
    Components: {
      classes: {
        '@mozilla.org/addons/addon-manager-startup;1': {
          getService: () => ({
            registerChrome(manifestURI, chromeEntries) {
              const handle = { manifestURI, chromeEntries, destruct: () => live.chrome.delete(handle) };
              live.chrome.add(handle);
              return handle;
            },
          }),
        },
        '@mozilla.org/process/environment;1': { getService: () => ({ get: () => '' }) },
      },
      interfaces: { amIAddonManagerStartup: {}, nsIEnvironment: {}, nsIFile: {} },
      utils: {
        Sandbox: function Sandbox(principal, options) {
          sandboxOrigins.push({ principal, options });
          return { WebSocket: FakeSocket };
        },
      },
    },
    IOUtils: {
      exists: async (path) => Object.keys(files).some((file) => file === path || file.startsWith(`${path}/`)),
      async readUTF8(path) {
        if (!(path in files)) throw Object.assign(new Error(`${path}: no such file`), { name: 'NotFoundError' });
        return files[path];
      },
    },
    PathUtils: { join: (...parts) => parts.join('/') },
    setTimeout: (callback) => {
      live.timers.set(nextTimer, callback);
      return nextTimer++;
    },
    clearTimeout: (id) => { live.timers.delete(id); },
  };
  return { scope, live, sockets, sandboxOrigins, errors, progressWindows };
}

const settle = () => new Promise((done) => setImmediate(done));
async function settled(condition, what) {
  for (let i = 0; i < 200 && !condition(); i++) await settle();
  assert.ok(condition(), what);
}

// The plugin's modules as Zotero loads them: once, outliving each run of bootstrap.js.
writeFileSync(join(unpacked, 'package.json'), '{"type": "module"}\n');
const moduleOf = (entry) => import(pathToFileURL(join(unpacked, entry)).href);
const data = { id: 'lorsync@lorsync.dev', version: '0.1.0', rootURI: 'jar:file:///profile/extensions/lorsync@lorsync.dev.xpi!/' };
const item = { libraryID: 1, key: 'ABCD2345', getDisplayTitle: () => 'CV 2026' };
const itemURI = 'zotero://select/library/items/ABCD2345';

async function run({ mainWindows = [], planWindows = [], daemon } = {}) {
  const fake = fakeZoteroScope({ pluginModule: await moduleOf('content/zotero/plugin.js'), mainWindows, planWindows, daemon });
  const context = vm.createContext(fake.scope);
  vm.runInContext(read('bootstrap.js'), context, { filename: 'bootstrap.js' });
  return { ...fake, bootstrap: context };
}

function assertNothingLeft({ live, sockets, errors }) {
  assert.deepEqual([...live.chrome], [], 'chrome://lorsync/ unregistered');
  assert.deepEqual([...live.sections.keys()], [], 'item pane section unregistered');
  assert.deepEqual([...live.panes], [], 'settings pane unregistered');
  assert.equal(live.prefObservers.size, 0, 'preference observer removed');
  assert.deepEqual([...live.timers.keys()], [], 'no timer left');
  assert.ok(sockets.every((socket) => socket.closed), 'every socket closed');
  assert.deepEqual(errors, []);
}

test('describeProblem explains in plain words why the client could not connect, also as the cause of a ConnectionError', async () => {
  const { SetupProblem, describeProblem } = await moduleOf('content/zotero/connection.js');
  const { LorsyncClient, ConnectionError } = await moduleOf('content/client/lorsync.js');
  const reasons = {
    'no-plan-folder': { folder: '/nowhere' }, 'not-running': { folder: '/plan' }, 'bad-daemon-file': { file: '/plan/.lorsync/daemon.json' },
    'bad-url': { url: 'gopher://x' }, 'no-token': { url: 'http://127.0.0.1:1/' },
  };
  for (const [reason, details] of Object.entries(reasons)) {
    const problem = new SetupProblem(reason, details);
    // What the client makes of a connection provider (readConnection) that throws.
    const client = new LorsyncClient({ connection: async () => { throw problem; }, WebSocket: class {}, reconnect: { initialMs: 60000 } });
    const error = await client.connect().then(() => assert.fail('connected'), (e) => e);
    client.close();
    assert.ok(error instanceof ConnectionError && error.cause === problem, error.message);
    const expected = { l10nID: `lorsync-error-${reason}`, l10nArgs: details };
    assert.deepEqual(describeProblem(error), expected);
    assert.deepEqual(describeProblem(problem), expected);
  }
  assert.equal(describeProblem(new ConnectionError('connection lost')).l10nID, 'lorsync-error-unreachable');
});

test('bootstrap.js with a fake Zotero (the only fake here): shutdown undoes everything startup and the windows got', async () => {
  // A main window opened after startup, and closed before shutdown.
  {
    const fake = await run();
    const { bootstrap, live, sockets, sandboxOrigins } = fake;
    bootstrap.install(data, 5);
    bootstrap.startup(data, 5);
    await settle();
    // (JSON: arrays made in the vm context are not deep-equal to this realm's.)
    assert.deepEqual(JSON.parse(JSON.stringify([...live.chrome][0].chromeEntries)),
      [['content', 'lorsync', `${data.rootURI}content/`]]);
    assert.equal(live.sections.size, 1);
    assert.equal(live.panes.size, 1);

    const window = fakeMainWindow([item]);
    const before = window.document.documentElement.snapshot();
    bootstrap.onMainWindowLoad({ window }, 9);
    const doc = window.document;
    assert.ok(doc.getElementById('lorsync-tools-menuitem').parentNode === doc.getElementById('menu_ToolsPopup'));
    const packetItem = doc.getElementById('lorsync-item-menuitem');
    assert.ok(doc.querySelector('link[href="lorsync.ftl"]'), 'lorsync.ftl linked for the section and menus');
    doc.getElementById('zotero-itemmenu').dispatch('popupshowing');
    assert.equal(packetItem.hidden, false, '"Add to LOR packet…" shown for one item');
    window.ZoteroPane.getSelectedItems = () => [item, item];
    doc.getElementById('zotero-itemmenu').dispatch('popupshowing');
    assert.equal(packetItem.hidden, true, 'and hidden for two');

    // Zotero shows the section: it connects, to the default plan's daemon, as the daemon's origin.
    const [section] = live.sections.values();
    const body = doc.createElementNS(XHTML, 'div');
    let refreshed = 0;
    section.onInit({ body, refresh: async () => { refreshed++; } });
    section.onRender({ body, item });
    assert.equal(body.children[0].children[0].getAttribute('data-l10n-id'), 'lorsync-section-connecting');
    const rendering = section.onAsyncRender({ body, item, setSectionSummary() {} });
    await settle();
    assert.deepEqual(sockets.map((socket) => socket.url), ['ws://127.0.0.1:23231/rpc']);
    assert.equal(sandboxOrigins[0].principal, 'http://127.0.0.1:23231');

    // New settings: the connection starts over, and the section is refreshed once.
    [...live.prefObservers][0].observe(null, 'nsPref:changed', 'extensions.lorsync.planFolder');
    assert.equal(sockets[0].closed, true);
    await settle();
    assert.equal(live.timers.size, 1, 'only the refresh is pending');
    for (const [id, callback] of live.timers) {
      live.timers.delete(id);
      callback();
    }
    assert.equal(refreshed, 1);

    // Refreshed, the section connects again; a change announced by lorsyncd is still to be shown
    // when the window closes and the plugin shuts down.
    const rerendering = section.onAsyncRender({ body, item, setSectionSummary() {} });
    await settle();
    assert.equal(sockets.length, 2);
    const timers = live.timers.size;
    sockets[1].onmessage({ data: JSON.stringify({ jsonrpc: '2.0', method: 'plan.changed', params: { source: 'file' } }) });
    assert.equal(live.timers.size, timers + 1, 'plan.changed schedules a refresh');
    bootstrap.onMainWindowUnload({ window }, 10);
    assert.deepEqual(window.document.documentElement.snapshot(), before, 'the window is as it was');
    await bootstrap.shutdown(data, 4);
    await Promise.all([rendering, rerendering]);
    await settle();
    section.onDestroy({ body });
    bootstrap.uninstall(data, 6);
    assertNothingLeft(fake);
  }

  // The plugin enabled and disabled while a main window and a plan window are open.
  {
    const window = fakeMainWindow([item]);
    const before = window.document.documentElement.snapshot();
    const planWindow = { closed: false, close() { this.closed = true; } };
    const fake = await run({ mainWindows: [window], planWindows: [planWindow] });
    fake.bootstrap.startup(data, 3);
    fake.bootstrap.onMainWindowLoad({ window }, 9);  // once is enough
    assert.equal([...window.document.documentElement.walk()]
      .filter((node) => node.id === 'lorsync-tools-menuitem').length, 1);
    await fake.bootstrap.shutdown(data, 4);
    assert.deepEqual(window.document.documentElement.snapshot(), before, 'the window is as it was');
    assert.equal(planWindow.closed, true, 'the plan window is closed');
    assertNothingLeft(fake);
  }
});

test('with lorsyncd answering: the section shows the plan, keeps it through a failed reload, and "Add to LOR packet" moves an item to another kind', async () => {
  const status = {
    today: '2026-08-15', applicant: 'Amina Rahman', cycle: 2027, commit: 'c1', season_over: false,
    readiness: {
      ready: false, errors: 1, warnings: 0, infos: 0,
      letters: { uploaded: 0, on_track: 0, needed: 3, late: [] }, programs: [],
    },
    letters: [], next_deadlines: [],
  };
  const packet = { cv: { title: 'CV 2026', zotero: itemURI }, scores: { title: 'Step 2', file: 'packet/scores.pdf' } };
  const received = [];
  const daemon = {
    down: false,
    answer(message) {
      received.push(message);
      return {
        auth: { authenticated: true }, subscribe: { subscribed: true }, 'plan.status': status,
        'plan.get': message.params.kind === 'plan' ? { revision: 'r1', data: { packet } } : { plan: { data: { packet } }, letters: [] },
        'entity.update': { commit: 'c2', path: 'plan.yaml', revision: 'r2', message: 'set: plan' },
      }[message.method];
    },
  };
  const window = fakeMainWindow([item]);
  const fake = await run({ mainWindows: [window], daemon });
  fake.bootstrap.startup(data, 3);
  const doc = window.document;
  const ids = (node) => [...node.walk()].map((n) => n.getAttribute?.('data-l10n-id')).filter(Boolean);

  const [section] = fake.live.sections.values();
  const body = doc.createElementNS(XHTML, 'div');
  section.onInit({ body, refresh: async () => {} });
  section.onRender({ body, item });
  let summary;
  await section.onAsyncRender({ body, item, setSectionSummary: (text) => { summary = text; } });
  assert.match(body.textContent, /Readiness/);
  assert.ok(ids(body).includes('lorsync-section-packet'), 'the item is the packet\'s CV');
  assert.match(summary, /^lorsync-section-summary/);

  // lorsyncd goes away (a restart): the reload fails, and the section keeps the plan, marked.
  daemon.down = true;
  fake.sockets.at(-1).close();
  await settled(() => fake.live.timers.size > 0, 'a refresh is scheduled');
  await section.onAsyncRender({ body, item, setSectionSummary() {} });
  assert.match(body.textContent, /Readiness/);
  const [stale] = [...body.walk()].filter((node) => node.getAttribute?.('class') === 'lorsync-stale');
  assert.deepEqual(ids(stale), ['lorsync-section-stale', 'lorsync-error-unreachable']);

  // Back up: the CV item becomes the personal statement; it leaves the CV, whose title stays.
  daemon.down = false;
  fake.scope.Services.prompt = {
    select(parent, title, text, labels, choice) {
      choice.value = labels.findIndex((label) => label.includes('"personal-statement"'));
      return true;
    },
  };
  doc.getElementById('lorsync-item-menuitem').dispatch('command');
  await settled(() => fake.progressWindows.length === 1, 'the outcome is shown');
  assert.match(fake.progressWindows[0].description, /^lorsync-packet-linked/);
  const updates = received.filter((message) => message.method === 'entity.update');
  // Each change carries a request_id of its own (the client's), so that a retry is made once.
  assert.equal(updates.length, 1);
  const { request_id: requestId, ...update } = updates[0].params;
  assert.match(requestId, /^[0-9a-f-]{32,36}$/);
  assert.deepEqual(update, {
    kind: 'plan', set: { 'packet.personal-statement': { title: 'CV 2026', zotero: itemURI } },
    unset: ['packet.cv.zotero'], if_revision: 'r1',
  });

  section.onDestroy({ body });
  await fake.bootstrap.shutdown(data, 4);
  await settle();
  assertNothingLeft(fake);
});
