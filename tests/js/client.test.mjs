// plugin/client/lorsync.js against the real lorsyncd (a sample plan on port 0), and against small
// fake servers for what a healthy daemon never does (stay silent, drop the connection).
//   node --test --experimental-websocket tests/js/client.test.mjs
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Sandbox, repoRoot } from './support/daemon.mjs';
import { LorsyncClient, RpcError, TimeoutError, ConnectionError, ErrorCode } from '../../plugin/client/lorsync.js';

const openrpc = JSON.parse(readFileSync(join(repoRoot, 'schema/openrpc.json'), 'utf8'));
const camel = (method) => method.replace(/\.(\w)/g, (_, letter) => letter.toUpperCase());
const paramNames = (method) => method.params
  .map((param) => (param.$ref ? openrpc.components.contentDescriptors[param.$ref.split('/').pop()] : param).name);
const TODAY = '2026-08-15';  // the Sandbox sets LORSYNC_TODAY

// The next notification (or 'state', 'reconnected') of that name that matches.
function next(client, name, matches = () => true, timeoutMs = 8000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`no ${name} in ${timeoutMs} ms`)); }, timeoutMs);
    const off = client.on(name, (params) => {
      if (!matches(params)) return;
      clearTimeout(timer);
      off();
      resolve(params);
    });
  });
}

async function until(condition, what, timeoutMs = 5000) {
  for (const start = Date.now(); !condition(); await sleep(10))
    if (Date.now() - start > timeoutMs) assert.fail(`not within ${timeoutMs} ms: ${what}`);
}

async function rejectsWith(promise, ErrorClass, code) {
  const error = await promise.then(() => assert.fail('expected a rejection'), (e) => e);
  assert.ok(error instanceof ErrorClass, `${error.name}: ${error.message}`);
  assert.equal(error.code, code, error.message);
  return error;
}

// The daemon's connection details as the Zotero plugin reads them: afresh on every (re)connect.
const fromDaemonJson = (plan) => async () => {
  const info = JSON.parse(readFileSync(join(plan, '.lorsync/daemon.json'), 'utf8'));
  return { url: info.url.replace(/^http:/, 'ws:') + 'rpc', token: info.token };
};

describe('the wrappers follow schema/openrpc.json', () => {
  const sessionMethods = new Set(['auth', 'subscribe', 'unsubscribe']);  // connect(), subscribe(), unsubscribe()
  const apiMethods = openrpc.methods.filter((method) => !sessionMethods.has(method.name));

  test('one wrapper per method, named in camelCase', () => {
    const own = Object.getOwnPropertyNames(LorsyncClient.prototype).filter((name) =>
      !['constructor', 'state', 'on', 'connect', 'close', 'call', 'subscribe', 'unsubscribe'].includes(name));
    assert.deepEqual(own.sort(), apiMethods.map((method) => camel(method.name)).sort());
  });

  test('each wrapper calls its method with exactly its documented params, and passes options on', () => {
    const client = new LorsyncClient({ url: 'ws://127.0.0.1:9/rpc', token: 't' });
    for (const method of apiMethods) {
      const names = paramNames(method);
      const given = Object.fromEntries([...names, 'undocumented'].map((name) => [name, `value of ${name}`]));
      let sent;
      client.call = (...args) => { sent = args; };
      client[camel(method.name)](given, { timeoutMs: 1234 });
      const [name, params, options] = sent;
      assert.equal(name, method.name);
      assert.deepEqual(params, Object.fromEntries(names.map((n) => [n, `value of ${n}`])), method.name);
      assert.deepEqual(options, { timeoutMs: 1234 });
    }
  });

  test('types.js is what gen-types.mjs makes of the schemas', () => {
    const check = spawnSync(process.execPath, [join(repoRoot, 'plugin/client/gen-types.mjs'), '--check'], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
  });

  test('the module loads without a WebSocket, and connect() says what is missing', () => {
    const script = `
      const { LorsyncClient } = await import(${JSON.stringify(join(repoRoot, 'plugin/client/lorsync.js'))});
      if (typeof WebSocket !== 'undefined') throw new Error('this check needs a Node without WebSocket');
      await new LorsyncClient({ url: 'ws://127.0.0.1:9/rpc', token: 't' }).connect()
        .then(() => process.exit(3), (error) => { console.log(error.message); });`;
    const run = spawnSync(process.execPath, ['--no-experimental-websocket', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /no WebSocket.*--experimental-websocket/);
  });
});

describe('every method, against lorsyncd', () => {
  let sandbox, plan, client;
  before(async () => {
    sandbox = new Sandbox();
    plan = sandbox.samplePlan();
    const daemon = await sandbox.startDaemon(plan);
    client = new LorsyncClient({ url: daemon.wsUrl, token: daemon.token });
    await client.connect();
    assert.equal(client.state, 'open');
    assert.deepEqual(await client.subscribe(), { subscribed: true });
  });
  after(() => {
    client?.close();
    sandbox?.cleanup();
  });

  test('rpcDiscover serves schema/openrpc.json', async () => {
    assert.deepEqual(await client.rpcDiscover(), openrpc);
  });

  test('planStatus, planGet, auditRun describe the sample plan', async () => {
    const status = await client.planStatus();
    assert.equal(status.today, TODAY);
    assert.equal(status.applicant, 'Amina Rahman');
    assert.equal(status.letters.find((row) => row.letter === 'whitfield-inpatient').status, 'uploaded');

    const whole = await client.planGet();
    assert.equal(whole.commit, status.commit);
    assert.ok(whole.letters.some((letter) => letter.id === 'delgado-consult'));
    const one = await client.planGet({ kind: 'letter', id: 'delgado-consult' });
    assert.equal(one.path, 'letters/delgado-consult.md');
    assert.match(one.revision, /^[0-9a-f]{40}$/);
    assert.equal(one.data.writer, 'marcus-delgado');
    await rejectsWith(client.planGet({ kind: 'letter', id: 'nobody' }), RpcError, ErrorCode.NotFound);

    const audit = await client.auditRun();
    for (const [severity, count] of [['error', audit.errors], ['warning', audit.warnings], ['info', audit.infos]])
      assert.equal(audit.findings.filter((finding) => finding.severity === severity).length, count);
    assert.equal(status.readiness.errors, audit.errors);
  });

  test('deadlinesList: all of them, or the open ones within some days', async () => {
    const all = await client.deadlinesList();
    const soon = await client.deadlinesList({ within: 14 });
    assert.ok(all.some((deadline) => deadline.state === 'done'));
    assert.ok(soon.length > 0 && soon.length < all.length);
    for (const deadline of soon) {
      assert.notEqual(deadline.state, 'done');
      assert.ok(deadline.date <= '2026-08-29', `${deadline.id} ${deadline.date}`);
    }
    await rejectsWith(client.deadlinesList({ within: -1 }), RpcError, ErrorCode.InvalidParams);
  });

  test('letterRecord commits, shows in historyLog and planStatus, and is announced with source api', async () => {
    const changed = next(client, 'plan.changed');
    const audited = next(client, 'audit.changed');
    const deadlines = next(client, 'deadlines.changed');
    const result = await client.letterRecord({ letter: 'delgado-consult', event: 'agreed', date: TODAY, via: 'email', note: 'Yes!' });
    assert.match(result.commit, /^[0-9a-f]{40}$/);
    assert.equal(result.path, 'letters/delgado-consult.md');
    assert.deepEqual(await changed, { commit: result.commit, paths: ['letters/delgado-consult.md'], source: 'api' });
    // The same as audit.run and deadlines.list (without `within`) answer for this commit.
    assert.deepEqual(await audited, await client.auditRun());
    assert.deepEqual(await deadlines, await client.deadlinesList());

    const [latest] = await client.historyLog({ limit: 1 });
    assert.equal(latest.commit, result.commit);
    assert.equal(latest.summary, result.message);
    assert.equal(latest.device, 'test-device');
    assert.equal((await client.historyLog({ limit: 2 })).length, 2);
    const row = (await client.planStatus()).letters.find((r) => r.letter === 'delgado-consult');
    assert.equal(row.status, 'agreed');
  });

  test('a change made with the CLI goes through the daemon: plan.changed, source api', async () => {
    const changed = next(client, 'plan.changed', (params) => params.paths.includes('letters/qureshi-home.md'));
    sandbox.lorsync(['record', 'qureshi-home', 'asked', '--via', 'email'], { cwd: plan, check: true });
    const params = await changed;
    assert.equal(params.source, 'api');
    assert.equal((await client.historyLog({ limit: 1 }))[0].commit, params.commit);
  });

  test('entityCreate, entityUpdate, entityDelete round-trip, with revisions', async () => {
    const created = await client.entityCreate({
      kind: 'program', id: 'test-lake-pmr', fields: { name: 'Test Lake PM&R', state: 'OH' }, body: 'Open house in October.\n',
    });
    assert.equal(created.path, 'programs/test-lake-pmr.md');
    const read = await client.planGet({ kind: 'program', id: 'test-lake-pmr' });
    assert.deepEqual(read.data, { name: 'Test Lake PM&R', state: 'OH' });
    assert.equal(read.body, 'Open house in October.\n');
    assert.equal(read.revision, created.revision);
    await rejectsWith(client.entityCreate({ kind: 'program', id: 'test-lake-pmr', fields: { name: 'Again' } }),
      RpcError, ErrorCode.InvalidParams);
    const invalid = await rejectsWith(client.entityCreate({ kind: 'letter', id: 'nobody-letter', fields: { writer: 'nobody' } }),
      RpcError, ErrorCode.InvalidPlan);
    assert.ok(invalid.data.diagnostics.length > 0);

    const updated = await client.entityUpdate({
      kind: 'program', id: 'test-lake-pmr', set: { state: 'MI', deadline: '2026-10-01' }, if_revision: created.revision,
    });
    assert.notEqual(updated.revision, created.revision);
    assert.deepEqual((await client.planGet({ kind: 'program', id: 'test-lake-pmr' })).data,
      { name: 'Test Lake PM&R', state: 'MI', deadline: '2026-10-01' });
    const conflict = await rejectsWith(client.entityUpdate({
      kind: 'program', id: 'test-lake-pmr', unset: ['deadline'], if_revision: created.revision,
    }), RpcError, ErrorCode.RevisionConflict);
    assert.equal(conflict.data.revision, updated.revision);
    assert.equal(conflict.method, 'entity.update');
    const unset = await client.entityUpdate({ kind: 'program', id: 'test-lake-pmr', unset: ['deadline'], if_revision: updated.revision });

    const deleted = await client.entityDelete({ kind: 'program', id: 'test-lake-pmr', if_revision: unset.revision });
    assert.equal(deleted.revision, null);
    assert.equal((await client.historyLog({ limit: 1 }))[0].commit, deleted.commit);
    await rejectsWith(client.planGet({ kind: 'program', id: 'test-lake-pmr' }), RpcError, ErrorCode.NotFound);
  });

  test('programsList and programsAssign', async () => {
    const before = await client.programsList();
    const program = before.find((p) => p.assigned.length === 0 && p.suggestion.length > 0);
    assert.ok(program, 'a sample program without letters');
    const letters = program.suggestion.map((choice) => choice.letter).slice(0, 4);
    const result = await client.programsAssign({ program: program.id, letters });
    assert.equal(result.path, `programs/${program.id}.md`);
    assert.deepEqual(result.problems, []);
    const after = (await client.programsList()).find((p) => p.id === program.id);
    assert.deepEqual(after.assigned, letters);
    assert.equal(after.assigned_fits, true);

    const tooMany = ['whitfield-inpatient', 'delgado-consult', 'brennan-neurology', 'qureshi-home', 'halvorsen-chair'];
    await rejectsWith(client.programsAssign({ program: program.id, letters: tooMany, force: true }), RpcError, ErrorCode.InvalidParams);
    await rejectsWith(client.programsAssign({ program: 'no-such-program', letters: [] }), RpcError, ErrorCode.NotFound);
  });

  test('syncStatus, syncNow without a remote, and syncResolve of a recorded conflict', async () => {
    const state = await client.syncStatus();
    assert.equal(state.state, 'no-remote');
    assert.equal(state.remote, null);
    const failed = await rejectsWith(client.syncNow(), RpcError, ErrorCode.NotFound);
    assert.ok(!(failed instanceof TimeoutError) && !(failed instanceof ConnectionError));
    assert.equal(failed.data.error, 'not_found');
    assert.equal(failed.data.sync.state, 'no-remote');

    await rejectsWith(client.syncResolve(), RpcError, ErrorCode.NotFound);
    // What a merge records (see sync.resolve); written by hand, lorsyncd commits it as an outside edit.
    const recorded = next(client, 'plan.changed', (params) => params.paths.includes('sync-conflicts.yaml'));
    writeFileSync(join(plan, 'sync-conflicts.yaml'), 'conflicts:\n  - {path: letters/delgado-consult.md, field: waived, '
      + 'kept: "true", lost: "false", kept_device: laptop, lost_device: hospital-pc}\n');
    assert.equal((await recorded).source, 'file');
    assert.deepEqual((await client.syncStatus()).conflicts, [{
      path: 'letters/delgado-consult.md', field: 'waived', kept: 'true', lost: 'false', kept_device: 'laptop', lost_device: 'hospital-pc',
    }]);
    const resolved = await client.syncResolve({ path: 'letters/delgado-consult.md', field: 'waived' });
    assert.equal(resolved.path, 'sync-conflicts.yaml');
    assert.deepEqual((await client.syncStatus()).conflicts, []);
  });

  test('call() reaches any method; errors carry the JSON-RPC code', async () => {
    assert.equal((await client.call('plan.status', {})).today, TODAY);
    const error = await rejectsWith(client.call('plan.nothing'), RpcError, ErrorCode.MethodNotFound);
    assert.equal(error.method, 'plan.nothing');
  });

  test('unsubscribe stops notifications; subscribe brings them back', async () => {
    const seen = [];
    const off = client.on('plan.changed', (params) => seen.push(params.commit));
    assert.deepEqual(await client.unsubscribe(), { subscribed: false });
    await client.letterRecord({ letter: 'qureshi-home', event: 'agreed', date: TODAY });
    await client.subscribe();
    const changed = next(client, 'plan.changed');
    const second = await client.letterRecord({ letter: 'qureshi-home', event: 'packet-sent', date: TODAY });
    await changed;
    off();
    assert.deepEqual(seen, [second.commit]);  // notifications come in order: the first was never sent
  });
});

// A WebSocket server that authenticates anyone and answers only what `answer` returns a reply for.
async function fakeDaemon(answer = (message) => (message.method === 'auth' ? { result: { authenticated: true } } : null)) {
  const sockets = new Set();
  const received = [];
  const server = createServer();
  server.on('upgrade', (request, socket) => {
    const accept = createHash('sha1').update(`${request.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      // Client frames: FIN + opcode, a masked length (7 or 16 bits), the mask, the payload.
      while (buffer.length >= 2) {
        const short = buffer[1] & 0x7f;
        const offset = short === 126 ? 4 : 2;
        const length = short === 126 ? buffer.readUInt16BE(2) : short;
        if (buffer.length < offset + 4 + length) break;
        const mask = buffer.subarray(offset, offset + 4);
        const payload = Buffer.from(buffer.subarray(offset + 4, offset + 4 + length).map((byte, i) => byte ^ mask[i % 4]));
        const opcode = buffer[0] & 0x0f;
        buffer = buffer.subarray(offset + 4 + length);
        if (opcode === 8) {
          socket.end(Buffer.from([0x88, 0]));
        } else if (opcode === 1) {
          const message = JSON.parse(payload.toString());
          received.push(message);
          const reply = answer(message);
          if (reply) {
            const text = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: message.id, ...reply }));
            const header = text.length < 126 ? Buffer.from([0x81, text.length]) : Buffer.from([0x81, 126, text.length >> 8, text.length & 0xff]);
            socket.write(Buffer.concat([header, text]));
          }
        }
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `ws://127.0.0.1:${server.address().port}/rpc`,
    received,
    connections: () => sockets.size,
    drop: () => { for (const socket of sockets) socket.destroy(); },
    close: () => new Promise((resolve) => { for (const socket of sockets) socket.destroy(); server.close(resolve); }),
    // A text frame, as is: for what lorsyncd would never send.
    sendRaw: (text) => {
      const payload = Buffer.from(text);
      for (const socket of sockets) socket.write(Buffer.concat([Buffer.from([0x81, payload.length]), payload]));
    },
  };
}

describe('timeouts and lost connections', () => {
  const cleanups = [];
  after(async () => { for (const cleanup of cleanups.reverse()) await cleanup(); });
  const track = (thing, close = () => thing.close()) => { cleanups.push(close); return thing; };

  test('a call without an answer rejects with TimeoutError; the connection stays usable', async () => {
    const server = track(await fakeDaemon((message) => {
      if (message.method === 'auth') return { result: { authenticated: true } };
      if (message.method === 'plan.status') return { result: { today: TODAY } };
      return null;  // anything else: silence
    }));
    const client = track(new LorsyncClient({ url: server.url, token: 'secret' }));
    await client.connect();
    assert.deepEqual(server.received[0].params, { token: 'secret' });
    const error = await rejectsWith(client.syncNow(undefined, { timeoutMs: 100 }), TimeoutError, ErrorCode.Timeout);
    assert.ok(error instanceof RpcError);
    assert.equal(error.method, 'sync.now');
    assert.equal(client.state, 'open');
    assert.deepEqual(await client.planStatus(), { today: TODAY });
  });

  test('a server that never completes the handshake: connect rejects with ConnectionError, then retries', async () => {
    const silent = track(createServer());  // accepts the TCP connection, never answers the upgrade
    await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => silent.closeAllConnections());
    const client = track(new LorsyncClient({
      url: `ws://127.0.0.1:${silent.address().port}/rpc`, token: 't', callTimeoutMs: 200, reconnect: { initialMs: 5000 },
    }));
    const states = [];
    client.on('state', ({ state, error }) => states.push([state, error?.name]));
    const error = await rejectsWith(client.connect(), ConnectionError, ErrorCode.ConnectionLost);
    assert.match(error.message, /no answer .* in 200 ms/);
    assert.deepEqual(states, [['connecting', undefined], ['reconnecting', 'ConnectionError']]);
    // A call made meanwhile waits for the connection, no longer than its timeout; never sent, it
    // was not made: a ConnectionError, not a TimeoutError (which says it may have been).
    const waited = await rejectsWith(client.planStatus(undefined, { timeoutMs: 100 }), ConnectionError, ErrorCode.ConnectionLost);
    assert.match(waited.message, /^plan\.status: not connected to lorsyncd \(waited 100 ms\)$/);
    client.close();
    assert.equal(client.state, 'closed');
    await rejectsWith(client.planStatus(), ConnectionError, ErrorCode.ConnectionLost);
  });

  test('a dropped connection fails pending calls with ConnectionError, then reconnects, re-authenticates and re-subscribes', async () => {
    const server = track(await fakeDaemon((message) =>
      (['auth', 'subscribe'].includes(message.method) ? { result: { authenticated: true, subscribed: true } } : null)));
    const client = track(new LorsyncClient({ url: server.url, token: 'secret', reconnect: { initialMs: 20, maxMs: 100 } }));
    await client.connect();
    await client.subscribe();
    const pending = client.planStatus();
    await until(() => server.received.length === 3, 'the server got plan.status');
    const reconnected = next(client, 'reconnected');
    server.drop();
    const error = await rejectsWith(pending, ConnectionError, ErrorCode.ConnectionLost);
    assert.match(error.message, /connection lost \(close code 1006\)/);
    await reconnected;
    assert.equal(client.state, 'open');
    assert.deepEqual(server.received.map((message) => message.method),
      ['auth', 'subscribe', 'plan.status', 'auth', 'subscribe']);
  });

  test('a change whose connection drops before the answer is sent again with the same request_id once reconnected', async () => {
    let records = 0;
    let server;
    server = track(await fakeDaemon((message) => {
      if (message.method === 'auth') return { result: { authenticated: true } };
      if (message.method !== 'letter.record') return null;
      // The first one is lost with its connection, as when lorsyncd is killed before it answers.
      if (++records === 1) { setImmediate(() => server.drop()); return null; }
      return { result: { commit: 'c'.repeat(40), path: 'letters/delgado-consult.md', revision: null, message: 'record' } };
    }));
    const client = track(new LorsyncClient({ url: server.url, token: 'secret', reconnect: { initialMs: 20, maxMs: 100 } }));
    await client.connect();
    const result = await client.letterRecord({ letter: 'delgado-consult', event: 'reminded', date: TODAY });
    assert.equal(result.path, 'letters/delgado-consult.md');
    const sent = server.received.filter((message) => message.method === 'letter.record');
    assert.equal(sent.length, 2);
    assert.match(sent[0].params.request_id, /^[0-9a-f-]{32,36}$/);
    assert.equal(sent[1].params.request_id, sent[0].params.request_id);
    // Two changes never share one.
    await client.letterRecord({ letter: 'delgado-consult', event: 'thanked', date: TODAY });
    const third = server.received.filter((message) => message.method === 'letter.record')[2];
    assert.notEqual(third.params.request_id, sent[0].params.request_id);
  });

  test('retries back off exponentially, with jitter, up to reconnect.maxMs', async () => {
    const server = track(await fakeDaemon(() => null));  // never authenticates: every attempt times out
    const delays = [];
    const client = track(new LorsyncClient({
      url: server.url, token: 't', callTimeoutMs: 30, reconnect: { initialMs: 100, maxMs: 400 },
      // Retries are the timers other than the 30 ms timeouts; run them at once, noting what was asked.
      setTimeout: (fn, ms) => { if (ms !== 30) delays.push(ms); return setTimeout(fn, ms === 30 ? 30 : 0); },
    }));
    await assert.rejects(client.connect(), RpcError);  // the handshake or auth timed out
    while (delays.length < 6) await sleep(20);
    client.close();
    [100, 200, 400, 400, 400, 400].forEach((ceiling, i) =>
      assert.ok(delays[i] >= ceiling / 2 && delays[i] <= ceiling, `retry ${i + 1}: ${delays[i]} ms, ceiling ${ceiling}`));
    assert.ok(new Set(delays).size > 1, 'jitter');
  });

  test('the connection provider is asked again on every attempt; its failures are ConnectionErrors with it as the cause', async () => {
    const server = track(await fakeDaemon());
    let asked = 0;
    const missing = new Error('.lorsync/daemon.json: no such file');
    const connection = async () => {
      if (++asked < 3) throw missing;
      return { url: server.url, token: `token ${asked}` };
    };
    const client = track(new LorsyncClient({ connection, reconnect: { initialMs: 10, maxMs: 20 } }));
    const reconnected = next(client, 'reconnected');
    const error = await rejectsWith(client.connect(), ConnectionError, ErrorCode.ConnectionLost);
    assert.match(error.message, /daemon\.json: no such file/);
    assert.equal(error.cause, missing, 'what the provider threw, as is (the Zotero plugin explains it)');
    await reconnected;
    assert.equal(asked, 3);
    assert.deepEqual(server.received[0].params, { token: 'token 3' });
  });

  test('close() stops for good: no reconnect, and connect() rejects', async () => {
    const server = track(await fakeDaemon());
    const client = track(new LorsyncClient({ url: server.url, token: 't', reconnect: { initialMs: 10, maxMs: 10 } }));
    await client.connect();
    client.close();
    await until(() => server.connections() === 0, 'the socket is closed');
    const error = await rejectsWith(client.connect(), ConnectionError, ErrorCode.ConnectionLost);
    assert.match(error.message, /the client was closed/);
    await rejectsWith(client.planStatus(), ConnectionError, ErrorCode.ConnectionLost);
    await sleep(100);
    assert.equal(server.received.filter((message) => message.method === 'auth').length, 1);
    assert.equal(server.connections(), 0);
    assert.equal(client.state, 'closed');
  });

  test('a frame that is not JSON-RPC drops the connection (calls in flight fail), and the client reconnects', async () => {
    const server = track(await fakeDaemon());
    const client = track(new LorsyncClient({ url: server.url, token: 't', reconnect: { initialMs: 10, maxMs: 20 } }));
    const uncaught = [];
    const onUncaught = (error) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      await client.connect();
      for (const garbage of ['{"jsonrpc": "2.0", "id": 2, "resu', 'null']) {
        const pending = client.planStatus();
        await until(() => server.received.at(-1).method === 'plan.status', 'the server got plan.status');
        const states = [];
        const off = client.on('state', ({ state, error }) => states.push([state, error?.name]));
        const reconnected = next(client, 'reconnected');
        server.sendRaw(garbage);
        const error = await rejectsWith(pending, ConnectionError, ErrorCode.ConnectionLost);
        assert.match(error.message, /not a JSON-RPC message/);
        await reconnected;
        off();
        assert.deepEqual(states, [['reconnecting', 'ConnectionError'], ['open', undefined]]);
      }
      await sleep(20);
      assert.deepEqual(uncaught, []);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});

describe('daemon restarts and tokens', () => {
  let sandbox, plan;
  before(() => {
    sandbox = new Sandbox();
    plan = sandbox.samplePlan();
  });
  after(() => sandbox?.cleanup());

  // A WebSocket that counts the connections it opens.
  const counting = () => {
    const counter = { opened: 0 };
    counter.WebSocket = class extends WebSocket {
      constructor(...args) { super(...args); counter.opened++; }
    };
    return counter;
  };

  test('a wrong token: connect rejects with -32001, state unauthorized, no retry', async () => {
    const daemon = await sandbox.startDaemon(plan);
    const counter = counting();
    const client = new LorsyncClient({ url: daemon.wsUrl, token: 'not-the-token', WebSocket: counter.WebSocket, reconnect: { initialMs: 10 } });
    try {
      const states = [];
      client.on('state', ({ state }) => states.push(state));
      await rejectsWith(client.connect(), RpcError, ErrorCode.Unauthorized);
      await sleep(200);
      assert.deepEqual(states, ['connecting', 'unauthorized']);
      assert.equal(counter.opened, 1);
      await rejectsWith(client.planStatus(), RpcError, ErrorCode.Unauthorized);
    } finally {
      client.close();
      await sandbox.stopDaemon(daemon);
    }
  });

  test('after a restart, the connection provider gives the new token: reconnect, re-subscribe, and calls made meanwhile go through', async () => {
    const first = await sandbox.startDaemon(plan);
    const client = new LorsyncClient({ connection: fromDaemonJson(plan), reconnect: { initialMs: 50, maxMs: 500 } });
    let second;
    try {
      await client.connect();
      await client.subscribe();
      const reconnecting = next(client, 'state', ({ state }) => state === 'reconnecting');
      const reconnected = next(client, 'reconnected');
      await sandbox.stopDaemon(first);
      await reconnecting;
      const waiting = client.planStatus({}, { timeoutMs: 20000 });  // made while the daemon is down
      second = await sandbox.startDaemon(plan, { port: first.port });
      assert.notEqual(second.token, first.token);
      await reconnected;
      assert.equal(client.state, 'open');
      assert.equal((await waiting).today, TODAY);

      const changed = next(client, 'plan.changed');
      const result = await client.letterRecord({ letter: 'delgado-consult', event: 'reminded', date: TODAY });
      assert.deepEqual(await changed, { commit: result.commit, paths: ['letters/delgado-consult.md'], source: 'api' });
    } finally {
      client.close();
      if (second) await sandbox.stopDaemon(second);
    }
  });

  test('an expired token (restart, same port, new token): ends unauthorized, calls reject with -32001, no endless retry', async () => {
    const first = await sandbox.startDaemon(plan);
    const counter = counting();
    const client = new LorsyncClient({
      url: first.wsUrl, token: first.token, WebSocket: counter.WebSocket, reconnect: { initialMs: 20, maxMs: 100 },
    });
    let second;
    try {
      await client.connect();
      const unauthorized = next(client, 'state', ({ state }) => state === 'unauthorized', 15000);
      await sandbox.stopDaemon(first);
      // Made while the daemon is down, it waits for the reconnect, which fails.
      const waiting = rejectsWith(client.planStatus({}, { timeoutMs: 20000 }), RpcError, ErrorCode.Unauthorized);
      second = await sandbox.startDaemon(plan, { port: first.port });
      const { error } = await unauthorized;
      assert.equal(error.code, ErrorCode.Unauthorized);
      await waiting;
      await rejectsWith(client.historyLog(), RpcError, ErrorCode.Unauthorized);
      const opened = counter.opened;
      await sleep(300);
      assert.equal(counter.opened, opened, 'no more attempts');
      assert.equal(client.state, 'unauthorized');
    } finally {
      client.close();
      if (second) await sandbox.stopDaemon(second);
    }
  });
});
