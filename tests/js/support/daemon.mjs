// Real lorsync parts for the JavaScript tests: a private HOME and XDG folders,
// a plan made by the real `lorsync init --sample`, and the real lorsyncd on
// port 0. Every folder and process is removed by cleanup(), and also when the
// test process exits early.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const lorsyncBin = process.env.LORSYNC_BIN ?? join(repoRoot, 'build/daemon/lorsync');
export const lorsyncdBin = process.env.LORSYNCD_BIN ?? join(repoRoot, 'build/daemon/lorsyncd');

const live = new Set();  // sandboxes not cleaned up yet
process.on('exit', () => { for (const sandbox of live) sandbox.cleanup(); });

// A temp folder holding a private HOME (with a git identity) and XDG folders.
export class Sandbox {
  constructor() {
    this.root = mkdtempSync(join(tmpdir(), 'lorsync-js-'));
    this.home = join(this.root, 'home');
    mkdirSync(this.home);
    writeFileSync(join(this.home, '.gitconfig'),
      '[user]\n\tname = Test Applicant\n\temail = applicant@example.org\n[init]\n\tdefaultBranch = main\n');
    this.env = {
      ...process.env,
      HOME: this.home,
      XDG_CONFIG_HOME: join(this.home, '.config'),
      XDG_DATA_HOME: join(this.home, '.local/share'),
      XDG_STATE_HOME: join(this.home, '.local/state'),
      XDG_CACHE_HOME: join(this.home, '.cache'),
      XDG_RUNTIME_DIR: join(this.home, '.run'),
      GIT_CONFIG_NOSYSTEM: '1',
      LORSYNC_TODAY: '2026-08-15',
      LORSYNC_DEVICE: 'test-device',
    };
    delete this.env.GIT_AUTHOR_NAME;
    delete this.env.GIT_AUTHOR_EMAIL;
    this.daemons = new Set();
    live.add(this);
  }

  // A new plan folder with the sample plan, committed.
  samplePlan(name = 'plan') {
    const plan = join(this.root, name);
    this.lorsync(['init', '--sample', plan], { check: true });
    return plan;
  }

  // Runs the lorsync CLI; { status, stdout, stderr }. With check, throws on a non-zero exit.
  lorsync(args, { cwd = this.root, check = false, env = {} } = {}) {
    const result = spawnSync(lorsyncBin, args, { cwd, env: { ...this.env, ...env }, encoding: 'utf8', timeout: 30000 });
    if (result.error) throw result.error;
    if (check && result.status !== 0)
      throw new Error(`lorsync ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    return result;
  }

  // Runs git in a folder; its stdout, trimmed. Throws on failure.
  git(cwd, args) {
    const result = spawnSync('git', args, { cwd, env: this.env, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
    return result.stdout.trim();
  }

  // Starts lorsyncd on the plan (port 0 unless given) and waits for .lorsync/daemon.json.
  async startDaemon(plan, { port = 0, args = [], env = {} } = {}) {
    const daemonFile = join(plan, '.lorsync/daemon.json');
    const child = spawn(lorsyncdBin, ['--plan', plan, '--port', String(port), ...args],
      { env: { ...this.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    const exited = new Promise((done) => child.on('exit', (code, signal) => done({ code, signal })));
    const daemon = { child, plan, exited, get stderr() { return stderr; } };
    this.daemons.add(daemon);
    for (let waited = 0; ; waited += 20) {
      if (child.exitCode !== null) throw new Error(`lorsyncd exited ${child.exitCode}: ${stderr}`);
      if (existsSync(daemonFile)) {
        try {
          const info = JSON.parse(readFileSync(daemonFile, 'utf8'));
          if (info.pid === child.pid) {
            Object.assign(daemon, { port: info.port, token: info.token, url: info.url,
              wsUrl: info.url.replace(/^http:/, 'ws:') + 'rpc' });
            return daemon;
          }
        } catch { /* written atomically, but an older daemon's file may still be there */ }
      }
      if (waited > 10000) throw new Error(`lorsyncd did not start in 10 s: ${stderr}`);
      await sleep(20);
    }
  }

  // SIGTERM (or the signal given) and wait for the exit; { code, signal }.
  async stopDaemon(daemon, signal = 'SIGTERM') {
    if (daemon.child.exitCode === null && daemon.child.signalCode === null) daemon.child.kill(signal);
    const result = await daemon.exited;
    this.daemons.delete(daemon);
    return result;
  }

  cleanup() {
    for (const daemon of this.daemons) {
      if (daemon.child.exitCode === null && daemon.child.signalCode === null) daemon.child.kill('SIGKILL');
    }
    this.daemons.clear();
    rmSync(this.root, { recursive: true, force: true });
    live.delete(this);
  }
}
