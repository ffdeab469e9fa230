// How the Zotero plugin finds and reaches lorsyncd, and what it says when it cannot.
// Imported into Zotero's shared module global (from bootstrap.js and the settings pane) and into
// the plan window. Each caller passes its own global as `scope` (Services, IOUtils, PathUtils,
// Components, setTimeout, clearTimeout), because a module global in Firefox 115 has no timers.
import { LorsyncClient, ConnectionError, ErrorCode, RpcError, TimeoutError } from '../client/lorsync.js';

export const PREFS = {
  planFolder: 'extensions.lorsync.planFolder',
  url: 'extensions.lorsync.url',
  token: 'extensions.lorsync.token',
};

/** Why the plugin cannot even try: a setting or the plan folder. `reason` picks the message. */
export class SetupProblem extends Error {
  constructor(reason, details = {}) {
    super(reason);
    this.name = 'SetupProblem';
    this.reason = reason;
    this.details = details;
  }
}

/**
 * Where lorsyncd is and its token, read again on every (re)connect: the token changes each time
 * lorsyncd starts. A URL in the settings wins; otherwise the plan folder's .lorsync/daemon.json.
 * @returns {Promise<{url: string, token: string}>}
 */
export async function readConnection(scope) {
  const { Services, IOUtils, PathUtils } = scope;
  const pref = (name) => Services.prefs.getStringPref(name, '').trim();
  if (pref(PREFS.url)) return fromAddress(pref(PREFS.url), pref(PREFS.token));

  const folder = pref(PREFS.planFolder) || defaultPlanFolder(scope);
  if (!(await IOUtils.exists(folder))) throw new SetupProblem('no-plan-folder', { folder });
  const file = PathUtils.join(folder, '.lorsync', 'daemon.json');
  let info;
  try {
    info = JSON.parse(await IOUtils.readUTF8(file));
  } catch (error) {
    throw new SetupProblem(error.name === 'NotFoundError' ? 'not-running' : 'bad-daemon-file', { folder, file });
  }
  if (!Number.isInteger(info?.port) || typeof info.token !== 'string' || !info.token)
    throw new SetupProblem('bad-daemon-file', { folder, file });
  return { url: `ws://127.0.0.1:${info.port}/rpc`, token: info.token };
}

// Accepts what `lorsync open` prints (http://127.0.0.1:PORT/#token=...) as well as ws://.../rpc.
function fromAddress(text, token) {
  let address;
  try {
    address = new URL(text);
  } catch {
    throw new SetupProblem('bad-url', { url: text });
  }
  const secure = { 'http:': false, 'ws:': false, 'https:': true, 'wss:': true }[address.protocol];
  if (secure === undefined) throw new SetupProblem('bad-url', { url: text });
  token ||= new URLSearchParams(address.hash.slice(1)).get('token') ?? '';
  if (!token) throw new SetupProblem('no-token', { url: text });
  const path = address.pathname === '/' ? '/rpc' : address.pathname;
  return { url: `${secure ? 'wss' : 'ws'}://${address.host}${path}`, token };
}

// Where `lorsync` and `lorsyncd` keep the plan when given no --plan: $XDG_DATA_HOME/lorsync/plan.
function defaultPlanFolder({ Components, Services, PathUtils }) {
  const { classes: Cc, interfaces: Ci } = Components;
  const environment = Cc['@mozilla.org/process/environment;1'].getService(Ci.nsIEnvironment);
  const dataHome = environment.get('XDG_DATA_HOME')
    || PathUtils.join(Services.dirsvc.get('Home', Ci.nsIFile).path, '.local', 'share');
  return PathUtils.join(dataHome, 'lorsync', 'plan');
}

/**
 * A WebSocket constructor whose sockets present lorsyncd's own origin. One opened from Zotero's
 * chrome has the system principal, so Firefox sends `Origin: null` (WebSocketImpl::AsyncOpen in
 * dom/websocket/WebSocket.cpp) and lorsyncd refuses the upgrade. A sandbox whose principal is the
 * daemon's origin gets a WebSocket that sends http://127.0.0.1:PORT, which lorsyncd accepts.
 */
export function daemonWebSocket(Cu) {
  function DaemonWebSocket(url) {
    const { protocol, host } = new URL(url);
    const origin = `${protocol === 'wss:' ? 'https' : 'http'}://${host}`;
    const sandbox = new Cu.Sandbox(origin, { wantGlobalProperties: ['WebSocket'] });
    return new sandbox.WebSocket(url);
  }
  return Object.assign(DaemonWebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
}

function clientOptions(scope) {
  return {
    WebSocket: daemonWebSocket(scope.Components.utils),
    setTimeout: (callback, ms) => scope.setTimeout(callback, ms),
    clearTimeout: (id) => scope.clearTimeout(id),
  };
}

/** A client that finds lorsyncd again on each reconnect (call connect() before anything else). */
export function createClient(scope) {
  return new LorsyncClient({ ...clientOptions(scope), connection: () => readConnection(scope) });
}

/**
 * What the "Test connection" button says: connects once with the current settings, reads the
 * status, and closes. Never throws: the result is a Fluent message ({l10nID, l10nArgs}).
 */
export async function testConnection(scope, { timeoutMs = 5000 } = {}) {
  let client;
  try {
    const connection = await readConnection(scope);
    client = new LorsyncClient({ ...clientOptions(scope), ...connection, callTimeoutMs: timeoutMs });
    await client.connect();
    const { applicant, cycle, readiness } = await client.planStatus();
    const { errors, warnings } = readiness;
    // The year as text: Fluent would group a number's digits ("2,027").
    return { l10nID: 'lorsync-test-ok', l10nArgs: { applicant, cycle: String(cycle), errors, warnings, url: connection.url } };
  } catch (error) {
    return describeProblem(error);
  } finally {
    client?.close();
  }
}

/** The SetupProblem behind an error, if any: the client wraps what readConnection throws. */
export function setupProblemOf(error) {
  if (error instanceof SetupProblem) return error;
  return error instanceof ConnectionError && error.cause instanceof SetupProblem ? error.cause : null;
}

/** A Fluent message ({l10nID, l10nArgs}) saying in plain words what went wrong. */
export function describeProblem(thrown) {
  const error = setupProblemOf(thrown) ?? thrown;
  if (error instanceof SetupProblem) {
    const l10nArgs = error.details;
    switch (error.reason) {
      case 'no-plan-folder': return { l10nID: 'lorsync-error-no-plan-folder', l10nArgs };
      case 'not-running': return { l10nID: 'lorsync-error-not-running', l10nArgs };
      case 'bad-daemon-file': return { l10nID: 'lorsync-error-bad-daemon-file', l10nArgs };
      case 'bad-url': return { l10nID: 'lorsync-error-bad-url', l10nArgs };
      case 'no-token': return { l10nID: 'lorsync-error-no-token', l10nArgs };
    }
  }
  const detail = String(error?.message ?? error);
  if (error instanceof TimeoutError) return { l10nID: 'lorsync-error-no-answer', l10nArgs: { detail } };
  // A refused Origin (HTTP 403) and a daemon that is not running look the same from here.
  if (error instanceof ConnectionError) return { l10nID: 'lorsync-error-unreachable', l10nArgs: { detail } };
  if (error instanceof RpcError && error.code === ErrorCode.Unauthorized)
    return { l10nID: 'lorsync-error-unauthorized', l10nArgs: {} };
  return { l10nID: 'lorsync-error-other', l10nArgs: { detail } };
}
