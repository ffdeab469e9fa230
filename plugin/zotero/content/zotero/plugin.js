// What lorsync adds to Zotero's main windows (the "Letters" item-pane section, the Tools and item
// menu entries, the settings pane), and the one lorsyncd connection they share.
// bootstrap.js imports this once into Zotero's shared module global and passes its own global as
// `scope` (Zotero, Services, Components, timers). That module global outlives a disable/enable,
// so every bit of state lives in the LorsyncPlugin instance, never in this module.
import { renderDeadlines } from '../web/deadlines-view.js';
import { renderPacketItem } from '../web/packet-view.js';
import { renderReadiness } from '../web/readiness-view.js';
import { PACKET_KINDS, packetKindOf } from '../web/derive.js';
import { createClient, describeProblem } from './connection.js';

const XHTML = 'http://www.w3.org/1999/xhtml';
const PLAN_WINDOW_TYPE = 'lorsync:plan';
// One change to the plan brings plan.changed, audit.changed and deadlines.changed: fetch once.
const REFRESH_DELAY_MS = 200;

export class LorsyncPlugin {
  #pluginID;
  #scope;
  #windows = new Map();   // main window -> what undoes addToWindow
  #sectionID = null;
  #paneID = null;         // a promise: PreferencePanes.register is async
  #prefObserver = { observe: () => this.#restart() };
  #client = null;
  #stopListening = [];
  #loading = null;        // the fetch in flight or done: {status, plan} or {error}
  #shown = null;          // what the sections show: {status, plan, error?} or {error}
  #sections = new Map();  // section body -> {refresh, item}
  #refreshTimer = null;

  constructor({ id, scope }) {
    this.#pluginID = id;
    this.#scope = scope;
  }

  startup() {
    const { Zotero, Services } = this.#scope;
    this.#sectionID = this.#registerSection();
    this.#paneID = Zotero.PreferencePanes.register({
      pluginID: this.#pluginID,
      src: 'chrome://lorsync/content/zotero/preferences.xhtml',
      scripts: ['chrome://lorsync/content/zotero/preferences.js'],
      stylesheets: ['chrome://lorsync/content/zotero/zotero.css'],
    });
    Services.prefs.addObserver('extensions.lorsync.', this.#prefObserver);
    // Windows already open (the plugin enabled while Zotero runs) get no onMainWindowLoad.
    for (const window of Zotero.getMainWindows()) {
      if (window.ZoteroPane) this.addToWindow(window);
    }
  }

  async shutdown() {
    const { Zotero, Services } = this.#scope;
    for (const window of [...this.#windows.keys()]) this.removeFromWindow(window);
    for (const window of Services.wm.getEnumerator(PLAN_WINDOW_TYPE)) window.close();
    Services.prefs.removeObserver('extensions.lorsync.', this.#prefObserver);
    if (this.#sectionID) Zotero.ItemPaneManager.unregisterSection(this.#sectionID);
    this.#sectionID = null;
    this.#stopClient();
    this.#scope.clearTimeout(this.#refreshTimer);
    const paneID = await this.#paneID?.catch(() => null);
    if (paneID) Zotero.PreferencePanes.unregister(paneID);
  }

  addToWindow(window) {
    if (this.#windows.has(window)) return;
    const doc = window.document;
    window.MozXULElement.insertFTLIfNeeded('lorsync.ftl');
    const stylesheet = element(doc, XHTML, 'link',
      { id: 'lorsync-stylesheet', rel: 'stylesheet', href: 'chrome://lorsync/content/zotero/zotero.css' });
    doc.documentElement.append(stylesheet);

    const planItem = element(doc, null, 'menuitem',
      { id: 'lorsync-tools-menuitem', 'data-l10n-id': 'lorsync-menu-plan' });
    planItem.addEventListener('command', () => this.openPlan(window));
    doc.getElementById('menu_ToolsPopup').append(planItem);

    const itemMenu = doc.getElementById('zotero-itemmenu');
    const packetItem = element(doc, null, 'menuitem',
      { id: 'lorsync-item-menuitem', 'data-l10n-id': 'lorsync-menu-add-to-packet' });
    packetItem.addEventListener('command', () => {
      this.#addToPacket(window).catch((error) => this.#scope.Zotero.logError(error));
    });
    itemMenu.append(packetItem);
    const onShowing = (event) => {
      if (event.target === itemMenu) packetItem.hidden = window.ZoteroPane.getSelectedItems().length !== 1;
    };
    itemMenu.addEventListener('popupshowing', onShowing);

    this.#windows.set(window, () => {
      itemMenu.removeEventListener('popupshowing', onShowing);
      for (const added of [stylesheet, planItem, packetItem]) added.remove();
      doc.querySelector('link[href="lorsync.ftl"]')?.remove();
    });
  }

  removeFromWindow(window) {
    this.#windows.get(window)?.();
    this.#windows.delete(window);
  }

  openPlan(window) {
    const open = this.#scope.Services.wm.getMostRecentWindow(PLAN_WINDOW_TYPE);
    if (open) open.focus();
    else window.openDialog('chrome://lorsync/content/zotero/plan.xhtml', '', 'chrome,dialog=no,resizable,centerscreen,width=1100,height=800');
  }

  // Zotero.ItemPaneManager checks these options (chrome/content/zotero/xpcom/itemPaneManager.js):
  // header and sidenav need an l10nID and an icon; it answers the namespaced id to unregister.
  #registerSection() {
    const icon = 'chrome://lorsync/content/zotero/icon.svg';
    return this.#scope.Zotero.ItemPaneManager.registerSection({
      paneID: 'letters',
      pluginID: this.#pluginID,
      header: { l10nID: 'lorsync-section-header', icon },
      sidenav: { l10nID: 'lorsync-section-sidenav', icon },
      onInit: ({ body, refresh }) => this.#sections.set(body, { refresh, item: null }),
      onDestroy: ({ body }) => this.#sections.delete(body),
      onRender: ({ body, item }) => {
        const section = this.#sections.get(body);
        if (section) section.item = item;
        this.#render(body, item);
      },
      onAsyncRender: async ({ body, setSectionSummary }) => {
        const { status } = await this.#load();
        // Another item may have been selected meanwhile: render the one shown now.
        this.#render(body, this.#sections.get(body)?.item);
        setSectionSummary(status
          ? await body.ownerDocument.l10n.formatValue('lorsync-section-summary', { errors: status.readiness.errors })
          : '');
      },
    });
  }

  #render(body, item) {
    const doc = body.ownerDocument;
    const root = element(doc, XHTML, 'div', { class: 'lorsync-section' });
    // A link would navigate the main window away: Zotero opens it (zotero://select shows the item).
    root.addEventListener('click', (event) => {
      const link = event.target.closest('a[href]');
      if (!link) return;
      event.preventDefault();
      doc.defaultView.ZoteroPane.loadURI(link.href);
    });
    const { status, plan, error } = this.#shown ?? {};
    if (!status) {
      const message = element(doc, XHTML, 'p', { class: 'lorsync-message' });
      if (error) {
        const { l10nID, l10nArgs } = describeProblem(error);
        doc.l10n.setAttributes(message, l10nID, l10nArgs);
      } else {
        doc.l10n.setAttributes(message, 'lorsync-section-connecting');
      }
      root.append(message);
    } else {
      const readiness = element(doc, XHTML, 'div');
      const deadlines = element(doc, XHTML, 'div');
      if (error) root.append(this.#staleNote(doc, error));
      renderReadiness(readiness, status, { level: 3 });
      renderDeadlines(deadlines, status.next_deadlines, status.today, { limit: 3, level: 3, showDone: false, status });
      root.append(readiness, deadlines);
      const kind = item && packetKindOf(plan, this.#itemURI(item));
      if (kind) {
        const heading = element(doc, XHTML, 'p', { class: 'lorsync-packet-heading' });
        doc.l10n.setAttributes(heading, 'lorsync-section-packet', { kind });
        const recipients = element(doc, XHTML, 'div');
        renderPacketItem(recipients, plan, kind, { level: 4 });
        root.append(heading, recipients);
      }
    }
    body.replaceChildren(root);
  }

  #staleNote(doc, error) {
    const note = element(doc, XHTML, 'p', { class: 'lorsync-stale' });
    const label = element(doc, XHTML, 'strong');
    const why = element(doc, XHTML, 'span');
    doc.l10n.setAttributes(label, 'lorsync-section-stale');
    const { l10nID, l10nArgs } = describeProblem(error);
    doc.l10n.setAttributes(why, l10nID, l10nArgs);
    note.append(label, why);
    return note;
  }

  // Sections share one fetch. One that failed, or that a change overtook, is not kept: the next
  // render fetches again. A failure keeps the data shown, marked not up to date: a restart of
  // lorsyncd would otherwise blank the section for a moment.
  #load() {
    if (this.#loading) return this.#loading;
    const loading = this.#fetch().catch((error) => ({ error })).then((result) => {
      if (this.#loading !== loading) return this.#shown ?? {};
      if (!result.error) return (this.#shown = result);
      this.#loading = null;
      return (this.#shown = { ...this.#shown, error: result.error });
    });
    return (this.#loading = loading);
  }

  async #fetch() {
    const client = this.#connect();
    await client.connect();
    const [status, plan] = await Promise.all([client.planStatus(), client.planGet()]);
    return { status, plan };
  }

  #connect() {
    if (this.#client) return this.#client;
    const client = createClient(this.#scope);
    const changed = () => this.#invalidate();
    let previous = client.state;
    this.#stopListening = [
      client.on('plan.changed', changed),
      client.on('audit.changed', changed),
      client.on('deadlines.changed', changed),
      client.on('reconnected', changed),
      // Only a drop is news: reloading on every failed retry would defeat the client's backoff.
      client.on('state', ({ state }) => {
        if (previous === 'open' && state !== 'open') changed();
        previous = state;
      }),
    ];
    // Made before connect(), this only marks the client subscribed: it subscribes as it connects.
    client.subscribe().catch(() => {});
    this.#client = client;
    return client;
  }

  #stopClient() {
    for (const stop of this.#stopListening) stop();
    this.#stopListening = [];
    this.#client?.close();
    this.#client = null;
    this.#loading = null;
  }

  // A new folder, URL or token: start over with it.
  #restart() {
    this.#stopClient();
    this.#shown = null;
    this.#invalidate();
  }

  #invalidate() {
    const { clearTimeout, setTimeout, Zotero } = this.#scope;
    this.#loading = null;
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = null;
      for (const { refresh } of this.#sections.values()) refresh().catch((error) => Zotero.logError(error));
    }, REFRESH_DELAY_MS);
  }

  async #addToPacket(window) {
    const { Services, Zotero } = this.#scope;
    const [item] = window.ZoteroPane.getSelectedItems();
    if (!item) return;
    const { l10n } = window.document;
    const title = item.getDisplayTitle();
    const heading = await l10n.formatValue('lorsync-packet-prompt-title');
    const question = await l10n.formatValue('lorsync-packet-prompt-text', { title });
    const labels = await Promise.all(PACKET_KINDS.map((kind) => l10n.formatValue('lorsync-packet-kind', { kind })));
    const choice = {};
    if (!Services.prompt.select(window, heading, question, labels, choice)) return;

    const kind = PACKET_KINDS[choice.value];
    let outcome = { l10nID: 'lorsync-packet-linked', l10nArgs: { kind, title } };
    try {
      await this.#linkToPacket(kind, item);
    } catch (error) {
      outcome = describeProblem(error);
    }
    const progress = new Zotero.ProgressWindow({ closeOnClick: true });
    progress.changeHeadline(heading);
    progress.addDescription(await l10n.formatValue(outcome.l10nID, outcome.l10nArgs));
    progress.show();
    progress.startCloseTimer(6000);
  }

  async #linkToPacket(kind, item) {
    const client = this.#connect();
    await client.connect();
    const plan = await client.planGet({ kind: 'plan' });
    const packet = plan.data.packet ?? {};
    const uri = this.#itemURI(item);
    const current = packet[kind] ?? {};
    // Keeps a `file` the packet item may have.
    const linked = { ...current, title: item.getDisplayTitle(), zotero: uri };
    const set = current.title === linked.title && current.zotero === uri ? undefined : { [`packet.${kind}`]: linked };
    // An item is one document of the packet: linked as another kind, it leaves the one it was.
    const others = PACKET_KINDS.filter((other) => other !== kind && packet[other]?.zotero === uri);
    const unset = others.length ? others.map((other) => `packet.${other}.zotero`) : undefined;
    // entity.update refuses a change that changes nothing.
    if (!set && !unset) return;
    await client.entityUpdate({ kind: 'plan', set, unset, if_revision: plan.revision });
  }

  // The link Zotero itself gives an item (Zotero.API.getLibraryPrefix: "library" or "groups/ID").
  #itemURI(item) {
    return `zotero://select/${this.#scope.Zotero.API.getLibraryPrefix(item.libraryID)}/items/${item.key}`;
  }
}

function element(doc, namespace, tag, attributes = {}) {
  const created = namespace ? doc.createElementNS(namespace, tag) : doc.createXULElement(tag);
  for (const [name, value] of Object.entries(attributes)) created.setAttribute(name, value);
  return created;
}
