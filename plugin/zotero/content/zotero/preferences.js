// The settings pane's script. Zotero loads it into the settings window before the pane's markup
// (Zotero.PreferencePanes `scripts`), so it only defines what the pane's onload calls. The inputs
// are bound to the preferences by their `preference` attributes: each keystroke is saved.
/* global ChromeUtils, Zotero, document, window */

var LorsyncPreferences = {
  init(pane) {
    pane.querySelector('#lorsync-choose-folder').addEventListener('command', () => this.chooseFolder());
    pane.querySelector('#lorsync-test').addEventListener('command', () => this.test(pane));
  },

  async chooseFolder() {
    const { FilePicker } = ChromeUtils.importESModule('chrome://zotero/content/modules/filePicker.mjs');
    const picker = new FilePicker();
    picker.init(window, await document.l10n.formatValue('lorsync-pref-choose-folder-title'), picker.modeGetFolder);
    if (await picker.show() === picker.returnOK) Zotero.Prefs.set('extensions.lorsync.planFolder', picker.file, true);
  },

  async test(pane) {
    const { testConnection } = ChromeUtils.importESModule('chrome://lorsync/content/zotero/connection.js');
    const result = pane.querySelector('#lorsync-test-result');
    document.l10n.setAttributes(result, 'lorsync-test-running');
    const { l10nID, l10nArgs } = await testConnection(window);
    document.l10n.setAttributes(result, l10nID, l10nArgs);
  },
};
