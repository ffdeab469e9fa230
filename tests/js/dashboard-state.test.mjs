// plugin/web/dashboard-state.js on its own: no daemon, no DOM, no timers. The rules of what the
// dashboard shows and says (which change is news, when it may say so, what a failure leaves).
//   node --test tests/js/dashboard-state.test.mjs
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DashboardState, DATA_KEYS, OWN_COMMITS_KEPT, SOURCE_WORDS, entityOfPath,
} from '../../plugin/web/dashboard-state.js';

// Just what describePaths reads of plan.status (LetterRow) and programs.list.
const STATUS = {
  today: '2026-08-15',
  letters: [
    { letter: 'brennan-im', writer: 'Dr. Samuel Brennan' },
    { letter: 'delgado-consult', writer: 'Dr. Marcus Delgado' },
  ],
};
const PROGRAMS = [{ id: 'mgh-im', name: 'Massachusetts General Hospital' }];

function loaded() {
  const state = new DashboardState();
  state.fetched('status', STATUS);
  state.fetched('programs', PROGRAMS);
  return state;
}

const change = (commit, paths, source = 'api') => ({ commit, paths, source });

describe('a new state', () => {
  test('knows nothing yet', () => {
    const state = new DashboardState();
    assert.deepEqual(Object.keys(state.data), [...DATA_KEYS]);
    assert.ok(Object.values(state.data).every((value) => value === null));
    assert.deepEqual(state.failures, {});
    assert.equal(state.ready, false);
    assert.equal(state.committing, 0);
    assert.equal(state.busy.size, 0);
    assert.equal(state.connection, null);
    assert.equal(state.everOpen, false);
    assert.equal(state.diagnostics, null);
    assert.equal(state.message, null);
    assert.equal(state.changesWaiting, false);
    assert.equal(state.takeChanges(), null);
  });

  test('today is the option\'s, else the daemon\'s', () => {
    const state = new DashboardState();
    assert.equal(state.today, undefined);
    state.fetched('status', STATUS);
    assert.equal(state.today, '2026-08-15');
    const fixed = new DashboardState({ today: '2026-09-01' });
    fixed.fetched('status', STATUS);
    assert.equal(fixed.today, '2026-09-01');
  });
});

describe('fetching', () => {
  test('fetched keeps the value, and plan.status makes the state ready', () => {
    const state = new DashboardState();
    state.fetched('plan', { plan: {} });
    assert.equal(state.ready, false, 'only plan.status makes a page to show');
    state.fetched('status', STATUS);
    assert.equal(state.ready, true);
    assert.equal(state.data.status, STATUS);
  });

  test('a failure is kept by key until a successful fetch of that key clears it', () => {
    const state = new DashboardState();
    const error = Object.assign(new Error('boom'), { code: -32603 });
    assert.equal(state.fetchFailed('audit', error), false, 'not a lost connection');
    assert.equal(state.fetchFailed('sync', error), false);
    assert.equal(state.failures.audit, error);
    state.fetched('audit', { findings: [] });
    assert.equal('audit' in state.failures, false, 'cleared by the successful fetch');
    assert.equal(state.failures.sync, error, 'another key\'s failure stays');
  });

  test('a call cut short by the connection is no failure of its part', () => {
    for (const code of [-32001, -31002]) {
      const state = new DashboardState();
      state.fetched('audit', { findings: ['old'] });
      assert.equal(state.fetchFailed('audit', { code }), true, `code ${code} says the connection was lost`);
      assert.deepEqual(state.failures, {});
      assert.deepEqual(state.data.audit, { findings: ['old'] }, 'what was shown stays');
    }
    assert.equal(new DashboardState().fetchFailed('status', undefined), false, 'a rejection without a reason is a failure');
  });
});

describe('notifications that carry their data', () => {
  test('audit.changed takes a report, and nothing else', () => {
    const state = new DashboardState();
    assert.equal(state.auditChanged(undefined), false);
    assert.equal(state.data.audit, null);
    const report = { findings: [] };
    assert.equal(state.auditChanged(report), true);
    assert.equal(state.data.audit, report);
  });

  test('deadlines.changed takes only a list', () => {
    const state = new DashboardState();
    assert.equal(state.deadlinesChanged({ not: 'a list' }), false);
    assert.equal(state.deadlinesChanged(null), false);
    assert.equal(state.data.deadlines, null);
    assert.equal(state.deadlinesChanged([]), true, 'an empty list is a list');
    assert.deepEqual(state.data.deadlines, []);
  });

  test('sync.changed takes a state, and says so (the page redraws sync at once)', () => {
    const state = new DashboardState();
    assert.equal(state.syncChanged(null), false);
    const sync = { state: 'ok', conflicts: [] };
    assert.equal(state.syncChanged(sync), true);
    assert.equal(state.data.sync, sync);
  });
});

describe('changes from elsewhere', () => {
  test('a change is announced once, after the fetch, naming the writer\'s letter and the program', () => {
    const state = loaded();
    state.planChanged(change('c1', ['letters/brennan-im.md', 'programs/mgh-im.md'], 'file'));
    assert.equal(state.changesWaiting, true);
    const taken = state.takeChanges();
    assert.deepEqual(taken.paths, ['letters/brennan-im.md', 'programs/mgh-im.md']);
    assert.equal(taken.text,
      `Updated ${SOURCE_WORDS.file}: Dr. Samuel Brennan's letter, Massachusetts General Hospital.`);
    assert.equal(state.takeChanges(), null, 'taken: not announced twice');
    assert.equal(state.changesWaiting, false);
  });

  test('several changes: their paths and sources once each; an unknown source is said as it is', () => {
    const state = loaded();
    state.planChanged(change('c1', ['letters/brennan-im.md'], 'git'));
    state.planChanged(change('c2', ['letters/brennan-im.md', 'plan.yaml'], 'sync'));
    state.planChanged(change('c3', ['plan.yaml'], 'robot'));
    const taken = state.takeChanges();
    assert.deepEqual(taken.paths, ['letters/brennan-im.md', 'plan.yaml']);
    assert.equal(taken.text,
      `Updated ${SOURCE_WORDS.git} and ${SOURCE_WORDS.sync} and robot: Dr. Samuel Brennan's letter, plan.yaml.`);
  });

  test('more than three files: three named and how many more', () => {
    const state = loaded();
    state.planChanged(change('c1', ['a.md', 'b.md', 'c.md', 'd.md', 'e.md']));
    assert.match(state.takeChanges().text, /: a\.md, b\.md, c\.md and 2 more\.$/);
  });

  test('an unknown letter or program, or one without data yet, is said by its id or path', () => {
    const state = loaded();
    assert.equal(state.describePaths(['letters/nobody.md', 'programs/nowhere.md']), 'nobody\'s letter, programs/nowhere.md');
    const bare = new DashboardState();
    assert.equal(bare.describePaths(['letters/brennan-im.md', 'programs/mgh-im.md']), 'letters/brennan-im.md, programs/mgh-im.md');
  });

  test('a plan.changed without params clears the diagnostics and announces nothing', () => {
    const state = loaded();
    state.planInvalid({ diagnostics: [{ path: 'plan.yaml', message: 'bad' }] });
    state.planChanged(undefined);
    assert.equal(state.diagnostics, null);
    assert.equal(state.changesWaiting, false);
    assert.equal(state.takeChanges(), null);
  });
});

describe('own commits', () => {
  test('are not announced as changes from elsewhere; others\' in the same batch are', () => {
    const state = loaded();
    state.commitStarted();
    state.commitAnswered('mine');
    state.planChanged(change('mine', ['letters/brennan-im.md']));
    state.planChanged(change('theirs', ['letters/delgado-consult.md'], 'sync'));
    const taken = state.takeChanges();
    assert.deepEqual(taken.paths, ['letters/delgado-consult.md'], 'only the other device\'s file');
    assert.equal(taken.text, `Updated ${SOURCE_WORDS.sync}: Dr. Marcus Delgado's letter.`);
  });

  test('only its own change: nothing to announce, and nothing left waiting', () => {
    const state = loaded();
    state.commitStarted();
    state.commitAnswered('mine');
    state.planChanged(change('mine', ['letters/brennan-im.md']));
    assert.equal(state.takeChanges(), null);
    assert.equal(state.pendingChanges.length, 0);
  });

  test('a plan.changed arriving before its commit\'s answer waits while committing > 0', () => {
    const state = loaded();
    state.commitStarted();
    assert.equal(state.committing, 1);
    // The daemon notifies before it answers: the page cannot tell yet that this is its own.
    state.planChanged(change('mine', ['letters/brennan-im.md']));
    assert.equal(state.changesWaiting, false, 'waits for the answer, not for a fetch');
    assert.equal(state.takeChanges(), null, 'a fetch meanwhile announces nothing');
    assert.equal(state.pendingChanges.length, 1, 'and keeps the change for later');
    state.commitAnswered('mine');
    assert.equal(state.committing, 0);
    assert.equal(state.takeChanges(), null, 'once answered it is known as its own');
    assert.equal(state.pendingChanges.length, 0);
  });

  test('a change from elsewhere that came during an own commit is announced once that is answered', () => {
    const state = loaded();
    state.commitStarted();
    state.commitStarted();
    state.planChanged(change('theirs', ['programs/mgh-im.md'], 'git'));
    state.commitAnswered('mine-1');
    assert.equal(state.takeChanges(), null, 'one own commit is still unanswered');
    state.commitFailed();
    assert.equal(state.committing, 0);
    assert.equal(state.changesWaiting, true, 'the failed call leaves the change to be fetched and said');
    assert.equal(state.takeChanges().text, `Updated ${SOURCE_WORDS.git}: Massachusetts General Hospital.`);
  });

  test('an answer without a commit counts as answered and remembers nothing', () => {
    const state = loaded();
    state.commitStarted();
    state.commitAnswered(undefined);
    assert.equal(state.committing, 0);
    assert.equal(state.ownCommits.size, 0);
  });

  test(`at most ${OWN_COMMITS_KEPT} are kept, the oldest forgotten first`, () => {
    const state = loaded();
    for (let i = 0; i <= OWN_COMMITS_KEPT; i += 1) {
      state.commitStarted();
      state.commitAnswered(`c${i}`);
    }
    assert.equal(state.ownCommits.size, OWN_COMMITS_KEPT);
    assert.equal(state.ownCommits.has('c0'), false, 'the oldest is gone');
    assert.equal(state.ownCommits.has('c1'), true);
    assert.equal(state.ownCommits.has(`c${OWN_COMMITS_KEPT}`), true, 'the newest is kept');
    state.commitStarted();
    state.commitAnswered('c1');  // again: no growth, and c1 stays
    assert.equal(state.ownCommits.size, OWN_COMMITS_KEPT);
    // The forgotten one now reads as a change from elsewhere; a kept one does not.
    state.planChanged(change('c0', ['letters/brennan-im.md']));
    state.planChanged(change('c1', ['letters/delgado-consult.md']));
    assert.deepEqual(state.takeChanges().paths, ['letters/brennan-im.md']);
  });
});

describe('actions in flight', () => {
  test('are busy from their start to their end, each by its key', () => {
    const state = new DashboardState();
    state.actionStarted('record:brennan-im');
    state.actionStarted('sync-now');
    assert.deepEqual([...state.busy], ['record:brennan-im', 'sync-now']);
    state.actionEnded('record:brennan-im');
    assert.deepEqual([...state.busy], ['sync-now']);
    state.actionEnded('sync-now');
    assert.equal(state.busy.size, 0);
  });
});

describe('an invalid plan', () => {
  test('plan.invalid keeps the diagnostics until the next valid change', () => {
    const state = loaded();
    const diagnostics = [{ path: 'letters/brennan-im.md', line: 3, message: 'bad date' }];
    state.planInvalid({ diagnostics });
    assert.deepEqual(state.diagnostics, diagnostics);
    state.fetched('plan', { plan: {} });
    assert.deepEqual(state.diagnostics, diagnostics, 'a fetch does not clear them: reads give the last valid plan');
    state.planChanged(change('c1', ['letters/brennan-im.md'], 'file'));
    assert.equal(state.diagnostics, null);
  });

  test('plan.invalid without diagnostics still says the plan is invalid', () => {
    const state = new DashboardState();
    state.planInvalid(undefined);
    assert.deepEqual(state.diagnostics, []);
    assert.notEqual(state.diagnostics, null);
  });
});

describe('the connection', () => {
  test('only a change of state is news, and wasOpen says whether it had been open', () => {
    const state = new DashboardState();
    assert.deepEqual(state.connectionChanged('connecting'), { state: 'connecting', wasOpen: false });
    assert.equal(state.connectionChanged('connecting'), null, 'the same state again');
    assert.deepEqual(state.connectionChanged('open'), { state: 'open', wasOpen: false }, 'the first open');
    assert.equal(state.everOpen, true);
    assert.deepEqual(state.connectionChanged('reconnecting'), { state: 'reconnecting', wasOpen: true });
    assert.equal(state.connectionChanged('reconnecting'), null, 'each failed retry says reconnecting again');
    assert.deepEqual(state.connectionChanged('open'), { state: 'open', wasOpen: true }, 'open again');
    assert.equal(state.connection, 'open');
  });

  test('a refused key forgets the plan and its diagnostics, and not the failures', () => {
    const state = loaded();
    state.fetched('drafts', { 'brennan-im': 'mailto:x' });
    state.fetchFailed('audit', { code: -32603 });
    state.planInvalid({ diagnostics: [{ path: 'plan.yaml', message: 'bad' }] });
    state.forget();
    assert.equal(state.ready, false);
    assert.ok(Object.values(state.data).every((value) => value === null), 'drafts too');
    assert.equal(state.diagnostics, null);
    assert.ok(state.failures.audit, 'a failure is cleared only by a successful fetch');
  });
});

describe('the message', () => {
  test('is the last shown, until cleared', () => {
    const state = new DashboardState();
    state.messageShown('connection', 'The connection to lorsyncd was lost.');
    assert.deepEqual(state.message, { kind: 'connection', text: 'The connection to lorsyncd was lost.' });
    state.messageShown('ok', 'Connected to lorsyncd again.');
    assert.equal(state.message.kind, 'ok', 'a new message replaces the connection one');
    state.messageCleared();
    assert.equal(state.message, null);
  });
});

test('entityOfPath knows letters\' and programs\' files, and nothing else', () => {
  assert.deepEqual(entityOfPath('letters/brennan-im.md'), { kind: 'letter', id: 'brennan-im' });
  assert.deepEqual(entityOfPath('programs/mgh-im.md'), { kind: 'program', id: 'mgh-im' });
  for (const path of ['plan.yaml', 'writers/brennan.md', 'letters/sub/x.md', 'letters/x.txt', 'xletters/x.md']) {
    assert.equal(entityOfPath(path), null, path);
  }
});
