// Defaults, set by Zotero from this file (Zotero.Plugins setDefaultPrefs). Empty plan folder: the
// default plan, $XDG_DATA_HOME/lorsync/plan. A URL (with its token) wins over the plan folder.
pref("extensions.lorsync.planFolder", "");
pref("extensions.lorsync.url", "");
pref("extensions.lorsync.token", "");
