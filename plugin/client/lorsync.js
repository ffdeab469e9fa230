// The lorsync client: JSON-RPC 2.0 over a WebSocket to lorsyncd, for the dashboard (Chromium),
// the Zotero plugin (Firefox 115) and Node >= 20. No dependencies and no DOM: a Firefox system
// module may have no WebSocket or timers of its own, so both can be passed in.
// Param and result types are in types.js, generated from schema/openrpc.json (gen-types.mjs).

/** JSON-RPC error codes: the daemon's, then the client's own. */
export const ErrorCode = Object.freeze({
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  Unauthorized: -32001,
  NotFound: -32002,
  RevisionConflict: -32003,
  InvalidPlan: -32004,
  SyncFailed: -32005,
  ReplyTooLarge: -32006,
  // Outside the range JSON-RPC reserves (-32768..-32000), where the daemon's codes are.
  Timeout: -31001,
  ConnectionLost: -31002,
});

/**
 * A new request_id for one change. The change wrappers give every call one, so that a call whose
 * connection drops before the answer is sent again after reconnecting, and lorsyncd, which keeps
 * the id with the commit, makes the change once.
 * @returns {string}
 */
export function newRequestId() {
  const crypto = globalThis.crypto;
  if (crypto?.randomUUID) return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  if (crypto?.getRandomValues) crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** A call's failure: `code` is the JSON-RPC code (the daemon's, or Timeout/ConnectionLost), `data` its data. */
export class RpcError extends Error {
  /** @param {number} code @param {string} message @param {{data?: unknown, method?: string, cause?: unknown}} [details] */
  constructor(code, message, { data, method, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'RpcError';
    this.code = code;
    this.data = data;
    this.method = method;
  }
}

/** No answer within the call's timeout (the daemon may still carry the call out). */
export class TimeoutError extends RpcError {
  constructor(method, timeoutMs) {
    super(ErrorCode.Timeout, `${method}: no answer from lorsyncd in ${timeoutMs} ms`, { method });
    this.name = 'TimeoutError';
  }
}

/**
 * The connection failed, dropped, or the client was closed. `cause` is what the connection
 * provider threw, if that is why (e.g. the Zotero plugin's reason it cannot find lorsyncd).
 */
export class ConnectionError extends RpcError {
  /** @param {string} message @param {{method?: string, cause?: unknown}} [details] */
  constructor(message, { method, cause } = {}) {
    super(ErrorCode.ConnectionLost, method ? `${method}: ${message}` : message, { method, cause });
    this.name = 'ConnectionError';
  }
}

/**
 * @typedef {'connecting'|'open'|'reconnecting'|'unauthorized'|'closed'} State
 * @typedef {{url: string, token: string}} Connection
 * @typedef {{timeoutMs?: number}} CallOptions
 */

export class LorsyncClient {
  #WebSocket; #setTimeout; #clearTimeout;
  #connection; #callTimeoutMs; #backoff;
  #state = /** @type {State} */ ('closed');
  /** @type {WebSocket|null} */ #ws = null;
  #closed = false;     // by close(), for good: an attempt under way gives up
  /** @type {Promise<void>|null} */ #attempting = null;  // the connection attempt in flight, if any
  #retryTimer;
  #failures = 0;       // attempts failed in a row, for the backoff
  #subscribed = false;
  #nextId = 1;
  #pending = new Map(); // id -> request sent, waiting for its answer
  #queued = new Set();  // requests made while (re)connecting, sent once open
  #listeners = new Map();

  /**
   * @param {object} options
   * @param {string} [options.url] ws://127.0.0.1:PORT/rpc
   * @param {string} [options.token] from PLAN/.lorsync/daemon.json
   * @param {() => Promise<Connection>} [options.connection] instead of url and token: called on every
   *   (re)connect, so a restarted daemon's new port and token are picked up
   * @param {typeof WebSocket} [options.WebSocket]
   * @param {typeof setTimeout} [options.setTimeout]
   * @param {typeof clearTimeout} [options.clearTimeout]
   * @param {number} [options.callTimeoutMs] for calls, and for opening the socket
   * @param {{initialMs?: number, maxMs?: number}} [options.reconnect]
   */
  constructor({ url, token, connection, WebSocket = globalThis.WebSocket,
    setTimeout = globalThis.setTimeout, clearTimeout = globalThis.clearTimeout,
    callTimeoutMs = 10000, reconnect = {} } = {}) {
    this.#connection = connection ?? (async () => ({ url, token }));
    this.#WebSocket = WebSocket;
    // Called as methods of this object, a window's timers throw "Illegal invocation".
    this.#setTimeout = (fn, ms) => setTimeout(fn, ms);
    this.#clearTimeout = (id) => clearTimeout(id);
    this.#callTimeoutMs = callTimeoutMs;
    this.#backoff = { initialMs: 250, maxMs: 10000, ...reconnect };
  }

  /** @returns {State} */
  get state() { return this.#state; }

  /**
   * Listens to a notification (plan.changed, audit.changed, ...; see types.js Notifications), or to
   * 'state' ({state, error}) or 'reconnected' (re-fetch what you show). Returns a function that stops it.
   * @param {string} name
   * @param {(params: any) => void} listener
   * @returns {() => void}
   */
  on(name, listener) {
    if (!this.#listeners.has(name)) this.#listeners.set(name, new Set());
    this.#listeners.get(name).add(listener);
    return () => this.#listeners.get(name).delete(listener);
  }

  /**
   * Opens the connection and authenticates. Rejects with RpcError -32001 on a refused token (state
   * 'unauthorized'), or with the error of this attempt; after any other failure the client keeps
   * retrying in the background, like after a drop (close() stops it). While (re)connecting, it
   * tries at once and answers with that attempt. After close(), rejects with ConnectionError.
   * @returns {Promise<void>}
   */
  connect() {
    if (typeof this.#WebSocket !== 'function') {
      return Promise.reject(new TypeError('lorsync: no WebSocket here: pass the WebSocket option '
        + '(Node 20 needs --experimental-websocket)'));
    }
    if (this.#closed) return Promise.reject(new ConnectionError('the client was closed'));
    if (this.#state === 'open') return Promise.resolve();
    if (!this.#attempting) {
      this.#clearTimeout(this.#retryTimer);
      this.#attempting = this.#attempt();
    }
    return this.#attempting;
  }

  /** Closes the connection for good: no reconnect; calls waiting fail with ConnectionError. */
  close() {
    this.#closed = true;
    this.#clearTimeout(this.#retryTimer);
    this.#attempting = null;
    const error = new ConnectionError('the client was closed');
    this.#drop(error);
    for (const request of this.#queued) this.#settle(request, error);
    this.#setState('closed');
  }

  /**
   * Calls a method. Made while reconnecting, the call waits for the connection; the timeout counts
   * from now. Rejects with RpcError (the daemon's code), TimeoutError (sent, no answer in time) or
   * ConnectionError (not sent, or the connection dropped before the answer).
   * @param {string} method
   * @param {object} [params]
   * @param {CallOptions} [options]
   */
  call(method, params = {}, { timeoutMs = this.#callTimeoutMs } = {}) {
    return this.#request(method, params, timeoutMs, true);
  }

  /**
   * Receive notifications; remembered, so it is redone after every reconnect.
   * @returns {Promise<import('./types.js').SubscribeResult>}
   */
  subscribe() {
    this.#subscribed = true;
    return this.call('subscribe');
  }

  /** @returns {Promise<import('./types.js').UnsubscribeResult>} */
  unsubscribe() {
    this.#subscribed = false;
    return this.call('unsubscribe');
  }

  // One wrapper per method of schema/openrpc.json (tests/js/client.test.mjs checks they match).
  // Each passes on only its documented params; options are those of call().

  /** @param {import('./types.js').RpcDiscoverParams} [_] @param {CallOptions} [options]
   *  @returns {Promise<import('./types.js').RpcDiscoverResult>} */
  rpcDiscover(_, options) { return this.call('rpc.discover', {}, options); }

  /** @param {import('./types.js').PlanStatusParams} [_] @param {CallOptions} [options]
   *  @returns {Promise<import('./types.js').PlanStatusResult>} */
  planStatus(_, options) { return this.call('plan.status', {}, options); }

  /** @param {import('./types.js').PlanGetParams} [params] @param {CallOptions} [options]
   *  @returns {Promise<import('./types.js').PlanGetResult>} */
  planGet({ kind, id } = {}, options) { return this.call('plan.get', { kind, id }, options); }

  /** @param {import('./types.js').AuditRunParams} [_] @param {CallOptions} [options]
   *  @returns {Promise<import('./types.js').AuditRunResult>} */
  auditRun(_, options) { return this.call('audit.run', {}, options); }

  /** @param {import('./types.js').DeadlinesListParams} [params] @param {CallOptions} [options]
   *  @returns {Promise<import('./types.js').DeadlinesListResult>} */
  deadlinesList({ within } = {}, options) { return this.call('deadlines.list', { within }, options); }

  /** @param {import('./types.js').ProgramsListParams} [_] @param {CallOptions} [options]
   *  @returns {Promise<import('./types.js').ProgramsListResult>} */
  programsList(_, options) { return this.call('programs.list', {}, options); }

  /** @param {import('./types.js').ProgramsAssignParams} params @param {CallOptions} [options]
   *  @returns {Promise<import('./types.js').ProgramsAssignResult>} */
  programsAssign({ program, letters, force, request_id = newRequestId() }, options) {
    return this.call('programs.assign', { program, letters, force, request_id }, options);
  }

  /** @param {import('./types.js').EntityCreateParams} params @param {CallOptions} [options]
   *  @returns {Promise<import('./types.js').EntityCreateResult>} */
  entityCreate({ kind, id, fields, body, request_id = newRequestId() }, options) {
    return this.call('entity.create', { kind, id, fields, body, request_id }, options);
  }

  /** @param {import('./types.js').EntityUpdateParams} params @param {CallOptions} [options]
   *  @returns {Promise<import('./types.js').EntityUpdateResult>} */
  entityUpdate({ kind, id, set, unset, if_revision, request_id = newRequestId() }, options) {
    return this.call('entity.update', { kind, id, set, unset, if_revision, request_id }, options);
  }

  /** @param {import('./types.js').EntityDeleteParams} params @param {CallOptions} [options]
   *  @returns {Promise<import('./types.js').EntityDeleteResult>} */
  entityDelete({ kind, id, if_revision, request_id = newRequestId() }, options) {
    return this.call('entity.delete', { kind, id, if_revision, request_id }, options);
  }

  /** @param {import('./types.js').LetterRecordParams} params @param {CallOptions} [options]
   *  @returns {Promise<import('./types.js').LetterRecordResult>} */
  letterRecord({ letter, event, date, via, note, packet, request_id = newRequestId() }, options) {
    return this.call('letter.record', { letter, event, date, via, note, packet, request_id }, options);
  }

  /** @param {import('./types.js').LetterDraftParams} params @param {CallOptions} [options]
   *  @returns {Promise<import('./types.js').LetterDraftResult>} */
  letterDraft({ letter, step }, options) { return this.call('letter.draft', { letter, step }, options); }

  /** @param {import('./types.js').HistoryLogParams} [params] @param {CallOptions} [options]
   *  @returns {Promise<import('./types.js').HistoryLogResult>} */
  historyLog({ limit } = {}, options) { return this.call('history.log', { limit }, options); }

  /** @param {import('./types.js').SyncStatusParams} [_] @param {CallOptions} [options]
   *  @returns {Promise<import('./types.js').SyncStatusResult>} */
  syncStatus(_, options) { return this.call('sync.status', {}, options); }

  /** A round talks to the remote: give it a longer timeoutMs on a slow network.
   *  @param {import('./types.js').SyncNowParams} [_] @param {CallOptions} [options]
   *  @returns {Promise<import('./types.js').SyncNowResult>} */
  syncNow(_, options) { return this.call('sync.now', {}, options); }

  /** @param {import('./types.js').SyncResolveParams} [params] @param {CallOptions} [options]
   *  @returns {Promise<import('./types.js').SyncResolveResult>} */
  syncResolve({ path, field, keep, request_id = newRequestId() } = {}, options) {
    return this.call('sync.resolve', { path, field, keep, request_id }, options);
  }

  // Opens a socket, authenticates and re-subscribes; on failure, schedules the next attempt.
  async #attempt() {
    if (this.#state !== 'reconnecting') this.#setState('connecting');
    try {
      const { url, token } = await this.#connection();
      if (this.#closed) throw new ConnectionError('the client was closed');
      await this.#open(url);
      await this.#request('auth', { token }, this.#callTimeoutMs, false);
      if (this.#subscribed) await this.#request('subscribe', {}, this.#callTimeoutMs, false);
    } catch (thrown) {
      // E.g. the connection provider could not read daemon.json (the daemon is restarting).
      const error = thrown instanceof RpcError ? thrown
        : new ConnectionError(`cannot connect: ${thrown?.message ?? thrown}`, { cause: thrown });
      if (!this.#closed) this.#failed(error);
      throw error;
    } finally {
      this.#attempting = null;
    }
    const reconnected = this.#state === 'reconnecting';
    this.#failures = 0;
    this.#setState('open');
    for (const request of this.#queued) this.#send(request);
    this.#queued.clear();
    if (reconnected) this.#emit('reconnected');
  }

  #failed(error) {
    this.#drop(error);
    if (error.code === ErrorCode.Unauthorized) {
      // Retrying cannot help: only a new token can (connect() again, with a connection provider).
      this.#setState('unauthorized', error);
      for (const request of this.#queued) this.#settle(request, this.#unavailable(request.method));
      return;
    }
    this.#retry(error);
  }

  #retry(error) {
    this.#setState('reconnecting', error);
    const ceiling = Math.min(this.#backoff.maxMs, this.#backoff.initialMs * 2 ** this.#failures++);
    // Jitter keeps the dashboard tabs and Zotero from all knocking at once on a restarted daemon.
    const delay = ceiling / 2 + Math.random() * ceiling / 2;
    this.#retryTimer = this.#setTimeout(() => { this.connect().catch(() => {}); }, delay);
  }

  #open(url) {
    return new Promise((resolve, reject) => {
      let ws;
      try {
        ws = new this.#WebSocket(url);
      } catch (error) {
        reject(new ConnectionError(`cannot connect to ${url}: ${error.message}`));
        return;
      }
      this.#ws = ws;
      const fail = (error) => { this.#clearTimeout(timer); reject(error); };
      // Failing drops the socket: Node 20 fires no close event for a socket closed while connecting.
      const timer = this.#setTimeout(() => fail(new ConnectionError(`no answer from ${url} in ${this.#callTimeoutMs} ms`)),
        this.#callTimeoutMs);
      ws.onopen = () => { this.#clearTimeout(timer); resolve(); };
      // Before open, Node 20 fires only an error event (no close) when the connection is refused.
      ws.onerror = () => fail(new ConnectionError(`cannot connect to ${url}`));
      ws.onmessage = (event) => this.#receive(event.data);
      ws.onclose = (event) => {
        fail(new ConnectionError(`cannot connect to ${url} (close code ${event.code})`));
        if (ws !== this.#ws) return;
        this.#lost(new ConnectionError(`connection lost (close code ${event.code}${event.reason ? `: ${event.reason}` : ''})`));
      };
    });
  }

  // Once open, a lost connection is retried from here; while connecting, the attempt sees its auth
  // or subscribe call fail, and retries by itself.
  #lost(error) {
    const retrying = this.#state === 'open';
    this.#drop(error, retrying);
    if (retrying) this.#retry(error);
  }

  // Forgets the socket: the calls sent on it can get no answer any more. A change with a request_id
  // is sent again once reconnected, if `resend` (lorsyncd answers a repeat with the first result);
  // any other call fails, since it may or may not have been made.
  #drop(error, resend = false) {
    const ws = this.#ws;
    this.#ws = null;
    ws?.close();
    for (const request of [...this.#pending.values()]) {
      if (resend && request.params?.request_id !== undefined) {
        this.#pending.delete(request.id);
        this.#queued.add(request);
      } else {
        this.#settle(request, error);
      }
    }
  }

  #request(method, params, timeoutMs, waitForOpen) {
    return new Promise((resolve, reject) => {
      const request = { id: null, method, params, resolve, reject };
      // Never sent, the call was not made: say so, rather than that it may have been.
      request.timer = this.#setTimeout(() => this.#settle(request, request.id === null
        ? new ConnectionError(`not connected to lorsyncd (waited ${timeoutMs} ms)`, { method })
        : new TimeoutError(method, timeoutMs)), timeoutMs);
      if (!waitForOpen || this.#state === 'open') this.#send(request);
      else if (this.#state === 'connecting' || this.#state === 'reconnecting') this.#queued.add(request);
      else this.#settle(request, this.#unavailable(method));
    });
  }

  #send(request) {
    request.id = this.#nextId++;
    this.#pending.set(request.id, request);
    try {
      this.#ws.send(JSON.stringify({ jsonrpc: '2.0', id: request.id, method: request.method, params: request.params }));
    } catch (error) {
      this.#settle(request, new ConnectionError(`cannot send: ${error.message}`, { method: request.method }));
    }
  }

  #settle(request, error, result) {
    this.#clearTimeout(request.timer);
    this.#queued.delete(request);
    this.#pending.delete(request.id);
    if (error) request.reject(error);
    else request.resolve(result);
  }

  #unavailable(method) {
    if (this.#state === 'unauthorized')
      return new RpcError(ErrorCode.Unauthorized, `${method}: lorsyncd refused the token; a new one is needed`, { method });
    return new ConnectionError(this.#closed ? 'the client was closed' : 'not connected (call connect() first)', { method });
  }

  #receive(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      message = null;
    }
    if (typeof message !== 'object' || message === null) {
      // Not lorsyncd, or a broken connection: answers can no longer be matched to calls.
      this.#lost(new ConnectionError(`lorsyncd sent something that is not a JSON-RPC message: ${String(text).slice(0, 80)}`));
      return;
    }
    if (message.id === undefined) {
      this.#emit(message.method, message.params);
      return;
    }
    const request = this.#pending.get(message.id);
    if (!request) return;  // its call timed out already
    if (message.error) {
      const { code, message: reason, data } = message.error;
      this.#settle(request, new RpcError(code, `${request.method}: ${reason}`, { data, method: request.method }));
    } else {
      this.#settle(request, null, message.result);
    }
  }

  #setState(state, error) {
    if (state === this.#state && !error) return;
    this.#state = state;
    this.#emit('state', { state, error });
  }

  #emit(name, payload) {
    for (const listener of this.#listeners.get(name) ?? []) {
      try {
        listener(payload);
      } catch (error) {
        // A broken listener must not stop the others, nor the client; report it like an event handler's.
        this.#setTimeout(() => { throw error; }, 0);
      }
    }
  }
}
