// lorsync for Zotero 7: the bootstrap entry points Zotero calls (chrome/content/zotero/xpcom/plugins.js).
// Zotero runs this file in a sandbox that has Zotero, Services, ChromeUtils, Components and timers.
// The plugin's code is ES modules under content/, shared with the web dashboard, so startup
// registers the chrome package "lorsync" (content/) first and imports the Zotero glue from it.
/* global Services, ChromeUtils, Components */

var chromeHandle = null;
var plugin = null;

function install() {}

function startup({ id, rootURI }) {
  const aomStartup = Components.classes['@mozilla.org/addons/addon-manager-startup;1']
    .getService(Components.interfaces.amIAddonManagerStartup);
  chromeHandle = aomStartup.registerChrome(Services.io.newURI(rootURI + 'manifest.json'),
    [['content', 'lorsync', rootURI + 'content/']]);
  // Modules imported this way stay loaded until Zotero quits, whatever happens to the plugin:
  // re-enabling gets the same module back, and after an update in place the old plugin.js (and the
  // views) keep running until Zotero restarts. A chrome package named after the version would load
  // the new ones, but preferences.js (a script Zotero loads into its settings window) and the
  // .xhtml files name chrome://lorsync/ as is, with no one place to take a versioned name from.
  const { LorsyncPlugin } = ChromeUtils.importESModule('chrome://lorsync/content/zotero/plugin.js');
  plugin = new LorsyncPlugin({ id, scope: globalThis });
  plugin.startup();
}

function onMainWindowLoad({ window }) {
  plugin?.addToWindow(window);
}

function onMainWindowUnload({ window }) {
  plugin?.removeFromWindow(window);
}

async function shutdown() {
  const stopping = plugin;
  plugin = null;
  try {
    await stopping?.shutdown();
  } finally {
    chromeHandle?.destruct();
    chromeHandle = null;
  }
}

function uninstall() {}
