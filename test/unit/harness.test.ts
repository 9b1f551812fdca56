import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

// npm test's counting (scripts/test-lib.sh), driven with fake suites that print what real runners print.
const LIB = path.resolve(__dirname, '../../../scripts/test-lib.sh');

function harness(body: string): { status: number | null; lastLine: string; out: string } {
  const script = `set -uo pipefail; source '${LIB}'\n${body}\nprint_failures\necho "$passed passed, $failed failed, $skipped skipped"; exit $status`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
  const lines = r.stdout.trim().split('\n');
  return { status: r.status, lastLine: lines[lines.length - 1], out: r.stdout };
}
const node = (lines: string[], code = 0) => `sh -c 'printf "%s\\n" ${lines.map((l) => `"${l}"`).join(' ')}; exit ${code}'`;

test('harness: passes and failures of node and mocha suites add up', () => {
  const r = harness([`suite a 2 ${node(['ℹ pass 3', 'ℹ fail 0', 'ℹ cancelled 0', 'ℹ skipped 0', 'ℹ todo 0'])}`, `suite b 1 ${node(['2 passed, 0 failed, 0 skipped'])}`].join('\n'));
  assert.equal(r.lastLine, '5 passed, 0 failed, 0 skipped');
  assert.equal(r.status, 0);
});

test('harness: a cancelled (timed-out) test is a failure', () => {
  const r = harness(`suite a 1 ${node(['ℹ pass 3', 'ℹ fail 0', 'ℹ cancelled 1'], 1)}`);
  assert.equal(r.lastLine, '3 passed, 1 failed, 0 skipped');
  assert.equal(r.status, 1);
});

test('harness: skipped and todo tests are reported, not lost', () => {
  const r = harness(`suite a 1 ${node(['ℹ pass 3', 'ℹ fail 0', 'ℹ skipped 2', 'ℹ todo 1'])}\nsuite b 1 ${node(['4 passed, 0 failed, 5 skipped'])}`);
  assert.equal(r.lastLine, '7 passed, 0 failed, 8 skipped');
  assert.match(r.out, /=== a: 3 skipped or todo/);
});

test('harness: a suite that ran fewer tests than it has files (or none) fails, even with exit 0', () => {
  const none = harness(`suite a 3 ${node(['ℹ pass 0', 'ℹ fail 0'])}`);
  assert.equal(none.status, 1);
  assert.equal(none.lastLine, '0 passed, 1 failed, 0 skipped');
  assert.match(none.out, /=== a ran 0 tests, expected at least 3/);
  const silent = harness(`suite a 1 true`);
  assert.equal(silent.status, 1, 'no count at all');
});

test('harness: a step that breaks without counting is one failure; its exit status is returned', () => {
  const r = harness(`if suite build 0 false; then echo "went on"; fi\nsuite rebuild 0 true`);
  assert.equal(r.status, 1);
  assert.equal(r.lastLine, '0 passed, 1 failed, 0 skipped');
  assert.doesNotMatch(r.out, /went on/, 'what depends on a failed build does not run');
});

test('harness: what failed is printed again after every suite, just before the count (a long log is read from its end)', () => {
  const failing = node(['✔ one', '✖ two', 'ℹ pass 1', 'ℹ fail 1', '✖ failing tests:', 'test at out/x.test.js:1:1', '✖ two', 'AssertionError: the reason'], 1);
  const r = harness(`suite a 1 ${failing}\nsuite b 1 ${node(['ℹ pass 2', 'ℹ fail 0'])}\nsuite c 0 ${node(['mocha said: boom'], 1)}`);
  assert.equal(r.status, 1);
  const again = r.out.slice(r.out.indexOf('=== the failures again'));
  assert.match(again, /=== a: what failed\n✖ failing tests:\ntest at out\/x.test.js:1:1\n✖ two\nAssertionError: the reason/);
  assert.match(again, /=== c: what failed\nmocha said: boom/, 'a runner without that section: its output\'s end');
  assert.doesNotMatch(again, /=== b/, 'a suite that passed is not repeated');
  assert.equal(r.lastLine, '3 passed, 2 failed, 0 skipped', 'the count stays the last line');
  const clean = harness(`suite b 1 ${node(['ℹ pass 2', 'ℹ fail 0'])}`);
  assert.doesNotMatch(clean.out, /failures again/);
});
