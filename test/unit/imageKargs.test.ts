import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appliedImageKargs, imageKargsFromLabel, kargsArchitecture, kargsFilesOf, parseKargsFile, KARGS_DIR,
} from '../../src/engine/vm/imageKargs';
import { kernelProbeArgs, parseImageListing } from '../../src/engine/vm/kernel';
import { imageFilesReadArgs, splitByListedSizes } from '../../src/engine/vm/imageFiles';
import { buildKernelArgs } from '../../src/engine/plan/kernelArgs';
import { bootTimelineHtml } from '../../src/vscode/webview/bootTimelineHtml';
import type { HostTools } from '../../src/engine/host/host';
import { EngineError } from '../../src/engine/errors';

const listing = (entries: [string, string, string?, number?][]) =>
  parseImageListing(entries.map(([type, p, target = '', size = 0]) => `${type}\0/run/source-image${p}\0${target}\0${size}\0`).join(''));
const DIRS: [string, string][] = [['d', '/usr'], ['d', '/usr/lib'], ['d', '/usr/lib/bootc'], ['d', KARGS_DIR]];
const toml = (s: string) => Buffer.from(s);
const tools = { loader: '/usr/lib64/ld-linux-x86-64.so.2', libraryPath: ['/usr/lib64'], find: '/usr/bin/find', cat: '/usr/bin/cat' } as HostTools;

test('kargs.d files: *.toml regular files directly in the folder, in file-name (byte) order', () => {
  const files = kargsFilesOf(listing([...DIRS, ['f', `${KARGS_DIR}/20-b.toml`, '', 10], ['f', `${KARGS_DIR}/10-a.toml`, '', 5], ['f', `${KARGS_DIR}/README`, '', 3], ['f', `${KARGS_DIR}/Z.toml`, '', 1]]), 'img');
  assert.deepEqual(files, [
    { path: `${KARGS_DIR}/10-a.toml`, size: 5 },
    { path: `${KARGS_DIR}/20-b.toml`, size: 10 },
    { path: `${KARGS_DIR}/Z.toml`, size: 1 },
  ]);
  assert.deepEqual(kargsFilesOf(listing([['d', '/usr'], ['d', '/usr/lib']]), 'img'), [], 'an image without kargs.d has none');
  assert.deepEqual(kargsFilesOf(listing([['d', '/usr'], ['d', '/usr/lib'], ['d', '/usr/lib/bootc']]), 'img'), []);
});

test('kargs.d files: links, huge files and too many files are refused, naming the file', () => {
  assert.throws(() => kargsFilesOf(listing([['d', '/usr'], ['d', '/usr/lib'], ['d', '/usr/lib/bootc'], ['l', KARGS_DIR, '/etc']]), 'img'), /image img: \/usr\/lib\/bootc\/kargs\.d is not a directory/);
  assert.throws(() => kargsFilesOf(listing([['d', '/usr'], ['d', '/usr/lib'], ['l', '/usr/lib/bootc', '/']]), 'img'), /\/usr\/lib\/bootc is not a directory/);
  assert.throws(() => kargsFilesOf(listing([...DIRS, ['l', `${KARGS_DIR}/10-x.toml`, '/etc/shadow']]), 'img'), /10-x\.toml is not a regular file/);
  assert.throws(() => kargsFilesOf(listing([...DIRS, ['f', `${KARGS_DIR}/10-x.toml`, '', 70_000]]), 'img'), /10-x\.toml is 70000 bytes: more than the 64 KiB/);
  assert.throws(() => kargsFilesOf(listing([...DIRS, ['f', `${KARGS_DIR}/a\nb.toml`, '', 1]]), 'img'), /control characters in its name/);
  const many = Array.from({ length: 65 }, (_, i): [string, string, string, number] => ['f', `${KARGS_DIR}/${String(i).padStart(2, '0')}.toml`, '', 1]);
  assert.throws(() => kargsFilesOf(listing([...DIRS, ...many]), 'img'), /has 65 files: more than 64/);
  assert.throws(() => kargsFilesOf(listing([...DIRS, ['l', `${KARGS_DIR}/10-x.toml`, '/etc/shadow']]), 'img'), (e: EngineError) => /--no-image-kargs/.test(e.details.hint ?? ''), 'the error says how to boot anyway');
});

test('a kargs.d file: kargs, and match-architectures against the image\'s architecture', () => {
  assert.deepEqual(parseKargsFile('/k/10.toml', toml('# a comment\nkargs = ["mitigations=auto,nosmt", "quiet"]\n'), 'x86_64', 'img'), { file: '/k/10.toml', kargs: ['mitigations=auto,nosmt', 'quiet'], applied: true });
  assert.equal(parseKargsFile('/k/a.toml', toml('kargs = ["console=ttyS0,115200n8"]\nmatch-architectures = ["x86_64"]\n'), 'x86_64', 'img').applied, true);
  assert.equal(parseKargsFile('/k/a.toml', toml('kargs = ["console=ttyAMA0"]\nmatch-architectures = ["aarch64"]\n'), 'x86_64', 'img').applied, false);
  assert.deepEqual(parseKargsFile('/k/q.toml', toml('kargs = [\'dyndbg="file x +p"\']\n'), 'x86_64', 'img').kargs, ['dyndbg="file x +p"'], 'a quoted value may hold spaces');
  assert.deepEqual(parseKargsFile('/k/e.toml', toml('kargs = []\n'), 'x86_64', 'img').kargs, []);
});

test('a malformed kargs.d file is one error naming the image and the file; its text is shown tamed', () => {
  const bad = (text: string | Buffer, re: RegExp) => assert.throws(() => parseKargsFile('/usr/lib/bootc/kargs.d/10-bad.toml', Buffer.isBuffer(text) ? text : toml(text), 'x86_64', 'img'), re);
  bad('kargs = ["a"', /image img: \/usr\/lib\/bootc\/kargs\.d\/10-bad\.toml is not valid TOML/);
  bad('kargs = "quiet"', /10-bad\.toml: kargs must be a list of strings/);
  bad('kargs = [1, 2]', /kargs must be a list of strings/);
  bad('match-architectures = ["x86_64"]', /10-bad\.toml has no kargs list/);
  bad('kargs = ["a"]\nmatch_architectures = ["x86_64"]', /unknown key "match_architectures"/);
  bad('kargs = ["a"]\n[install]\nx = 1', /unknown key "install"/);
  bad('kargs = ["quiet splash"]', /"quiet splash" is not one kernel argument/);
  bad('kargs = ["a\\nb"]', /"a\?b" is not one kernel argument/);
  bad('kargs = [""]', /is not one kernel argument/);
  bad(Buffer.from([0x6b, 0xff, 0xfe]), /10-bad\.toml is not UTF-8 text/);
  assert.throws(() => parseKargsFile('/k/x.toml', toml('kargs = ["\u001b[31m"'), 'x86_64', 'img'), (e: Error) => !/\u001b/.test(e.message));
});

test('the image\'s arguments in file order, only those applied; a command line they would crowd is refused', () => {
  const files = [
    { file: '/k/00-console.toml', kargs: ['console=ttyAMA0'], applied: false },
    { file: '/k/10-a.toml', kargs: ['a=1', 'b'], applied: true },
    { file: '/k/20-c.toml', kargs: ['c=3'], applied: true },
  ];
  assert.deepEqual(appliedImageKargs(files, 'img'), ['a=1', 'b', 'c=3']);
  assert.throws(() => appliedImageKargs([{ file: '/k/x.toml', kargs: Array.from({ length: 100 }, (_, i) => `arg${i}=${'v'.repeat(10)}`), applied: true }], 'img'), /take \d+ bytes: more than 1024/);
  const args = buildKernelArgs({ kargs: ['user=1'] }, ['a=1', 'b']);
  assert.deepEqual(args.slice(-3), ['a=1', 'b', 'user=1'], 'after the engine\'s own, before the user\'s --karg (which win)');
  assert.ok(args.indexOf('a=1') > args.findIndex((a) => a.startsWith('rdinit=')));
});

test('architectures: podman\'s names as bootc spells them', () => {
  assert.equal(kargsArchitecture('amd64'), 'x86_64');
  assert.equal(kargsArchitecture('arm64'), 'aarch64');
  assert.equal(kargsArchitecture('ppc64le'), 'powerpc64');
  assert.equal(kargsArchitecture('s390x'), 's390x');
  assert.equal(kargsArchitecture(''), process.arch === 'x64' ? 'x86_64' : kargsArchitecture(process.arch === 'arm64' ? 'arm64' : process.arch), 'unknown: this host\'s');
});

test('the probe lists kargs.d without following links; the read is pinned to the image id, offline, and splits by the listed sizes', () => {
  const probe = kernelProbeArgs('root', 'a'.repeat(64), tools);
  for (const p of ['/usr/lib/bootc', KARGS_DIR, `${KARGS_DIR}/*`]) assert.ok(probe.includes(`/run/source-image${p}`), p);
  assert.ok(!probe.includes('-L') && !probe.includes('-follow'));
  const files = [{ path: `${KARGS_DIR}/10-a.toml`, size: 3 }, { path: `${KARGS_DIR}/20-b.toml`, size: 2 }];
  const read = imageFilesReadArgs('root', 'a'.repeat(64), tools, files);
  assert.ok(read.includes('--network=none') && read.includes('--cap-drop=all') && read.includes('--read-only'));
  assert.ok(read.includes(`type=image,source=${'a'.repeat(64)},target=/run/source-image`));
  assert.deepEqual(read.slice(-3), ['--', `/run/source-image${KARGS_DIR}/10-a.toml`, `/run/source-image${KARGS_DIR}/20-b.toml`]);
  assert.deepEqual(splitByListedSizes(Buffer.from('abcde'), files)?.map(String), ['abc', 'de']);
  assert.equal(splitByListedSizes(Buffer.from('abcdef'), files), undefined, 'a size that changed is no content');
});

test('the image-kargs label is read back only when well-formed; the Boot Timeline shows it escaped', () => {
  const good = [{ file: `${KARGS_DIR}/10-a.toml`, kargs: ['a=1'], applied: true }, { file: `${KARGS_DIR}/00-arm.toml`, kargs: ['console=ttyAMA0'], applied: false }];
  assert.deepEqual(imageKargsFromLabel(JSON.stringify(good)), good);
  assert.equal(imageKargsFromLabel(undefined), undefined);
  assert.equal(imageKargsFromLabel('{'), undefined);
  assert.equal(imageKargsFromLabel(JSON.stringify([{ file: '/etc/passwd', kargs: [], applied: true }])), undefined, 'a file outside kargs.d');
  assert.equal(imageKargsFromLabel(JSON.stringify([{ file: `${KARGS_DIR}/a.toml`, kargs: ['a\nb'], applied: true }])), undefined);
  assert.equal(imageKargsFromLabel(JSON.stringify([{ file: `${KARGS_DIR}/a.toml`, kargs: ['a'] }])), undefined);
  const analysis = { phases: {}, criticalChain: [], slowest: [] };
  const html = bootTimelineHtml('vm', analysis, 'n', 'csp', [{ file: `${KARGS_DIR}/10-a.toml`, kargs: ['x="<b>"'], applied: true }, good[1]]);
  assert.match(html, /Kernel arguments from the image/);
  assert.match(html, /10-a\.toml<\/code>: <code>x=&#34;&#60;b&#62;&#34;<\/code>/);
  assert.match(html, /00-arm\.toml.*not applied: its match-architectures leave this architecture out/);
  assert.match(bootTimelineHtml('vm', analysis, 'n', 'csp'), /declares no kernel arguments/);
});
