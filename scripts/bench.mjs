// npm run bench: the engine side by side with plain QEMU + virtiofsd boots of the same image (the
// baselines, scripts/bench/plainQemu.mjs: plain, and tuned as the engine is), alternating, N runs each;
// medians and ratios engine/baseline. bcvk's virtiofs cache mode (never) is booted once, for the record.
// Also: ready-detection latency, `run -d` return, `ps` over 50 VM containers, `logs --journal [-f]`, host memory per VM, and
// how many small VMs reach SSH at once. Prints a table, writes bench-results/latest.json; with
// BENCH_RECORD=1 appends a row to docs/benchmarks.md. Exits 1 when a goal is missed.
//   BENCH_IMAGE, BENCH_RUNS (3), BENCH_ACCEL (tcg), BENCH_CONCURRENT (8; 0 skips), BENCH_QUIET_KARGS (1),
//   BENCH_CACHE_NEVER (1; 0 skips the cache=never boot)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { bootPlain } from './bench/plainQemu.mjs';
import { prepareRootless } from './bench/rootless.mjs';
import { median, now, overheadKiB, parseSystemdAnalyze, processTree } from './bench/measure.mjs';

const IMAGE = process.env.BENCH_IMAGE ?? 'localhost/bootc-sample:latest';
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
// the arm64 sample (npm run sample-image:arm64), when built: its run-ssh beside amd64's, informational
const ARM64_IMAGE = process.env.BENCH_ARM64_IMAGE ?? (spawnSync('podman', ['image', 'exists', 'localhost/bootc-sample:arm64']).status === 0 ? 'localhost/bootc-sample:arm64' : undefined);
const ACCEL = process.env.BENCH_ACCEL ?? 'tcg';
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 8);
const MEMORY_MIB = 2048;
const VCPUS = 2;
const SIZE = ['--memory', `${MEMORY_MIB}M`, '--vcpus', String(VCPUS), '--accel', ACCEL];
/** the kernel arguments of the slow run once reported in issue 11: ready detection must not depend on output they silence */
const QUIET_KARGS = ['quiet', '8250.nr_uarts=1', 'systemd.mask=e2scrub_reap.service', 'rd.udev.log_level=3', 'systemd.show_status=false'];

/** the guest's own split, once its start-up has finished (SSH can answer before it has), and our guest init's times (GUEST_INIT_TIMES) */
const ANALYZE = 'systemctl is-system-running --wait >/dev/null 2>&1; systemd-analyze; cat /run/bootc-ephemeral/init-times 2>/dev/null';
/** the guest's line that SSH is possible (src/engine/guest/bootPhases.ts SSHD_LISTENING): sshd's own, or early SSH's address unit */
const SSH_POSSIBLE = /sshd\[\d+\]: Server listening on|systemd\[1\]: (?:Finished|Started) bootc-ephemeral-ssh-address@/;
const cli = (...args) => spawnSync('node', ['dist/cli.js', ...args], { encoding: 'utf8' });
const must = (r, what) => {
  if (r.status !== 0) throw new Error(`${what}: ${r.stderr || r.stdout}`);
  return r;
};

const figures = {
  baseline_ssh_s: [], engine_ssh_s: [], baseline_execute_s: [], engine_execute_s: [], tuned_ssh_s: [], tuned_execute_s: [], cache_never_ssh_s: [],
  baseline_kernel_s: [], baseline_initrd_s: [], baseline_userspace_s: [], engine_kernel_s: [], engine_initrd_s: [], engine_userspace_s: [],
  engine_side_s: [], ready_latency_s: [], first_login_s: [], launch_s: [], memory_overhead_mib: [], quiet_kargs_ssh_s: [], quiet_kargs_gap_s: [],
  ps_50_s: [], logs_follow_s: [], rootful_run_ssh_s: [], rootless_run_ssh_s: [], arm64_run_ssh_s: [], logs_journal_s: [], concurrent_ssh_s: [], concurrent_reached: [], extension_load_ms: [], extension_bundle_kib: [],
};
const push = (k, v) => v !== undefined && Number.isFinite(v) && figures[k].push(v);

/** The engine: run -d -K, then `ssh NAME -- true` timed, with the journal and the console watched for the guest's "SSH possible" line. */
async function engineBoot(name, extra = []) {
  const t0 = now();
  must(cli('run', '-d', '-K', '--name', name, ...SIZE, ...extra, IMAGE), 'run -d');
  const launched = now() - t0;
  const stateDir = JSON.parse(must(cli('inspect', name), 'inspect').stdout)[0].stateDir;
  // the line reaches the host on the console (the kernel log's copy, before journald runs) or in the journal stream
  const outputs = [`${stateDir}/logs/journal.log`, `${stateDir}/logs/console.log`];
  let listenAt;
  const watch = setInterval(() => {
    if (listenAt === undefined && outputs.some((f) => fs.existsSync(f) && SSH_POSSIBLE.test(fs.readFileSync(f, 'utf8')))) listenAt = now();
  }, 20);
  // the CLI reports each boot phase on stderr (a line per phase without a terminal): "ready" is the engine's word
  let readyAt;
  let connectingAt;
  const sshDone = await new Promise((resolve, reject) => {
    const p = spawn('node', ['dist/cli.js', 'ssh', '--timeout', '600', name, '--', 'true'], { stdio: ['ignore', 'ignore', 'pipe'] });
    p.stderr.on('data', (d) => {
      // "connecting": the engine's login attempt after the guest's line; "ready": that login succeeded
      if (connectingAt === undefined && /: connecting \(/.test(String(d))) connectingAt = now();
      if (readyAt === undefined && /: ready \(/.test(String(d))) readyAt = now();
    });
    p.on('exit', (code) => (code === 0 ? resolve(now()) : reject(new Error(`ssh ${name} exited ${code}`))));
  });
  clearInterval(watch);
  const analyze = parseSystemdAnalyze(must(cli('ssh', name, '--', ANALYZE), 'systemd-analyze').stdout);
  const between = (from, to) => (from === undefined || to === undefined ? undefined : Math.max(0, to - from));
  // the engine's part: from the guest's line (seen in the journal or console file) to its login attempt; then the guest's login
  return { launched, sshS: sshDone - t0, readyLatency: between(listenAt, connectingAt), firstLogin: between(connectingAt ?? listenAt, readyAt), analyze };
}

/**
 * `logs --journal -f`: from a guest line being logged (`ssh NAME -- logger MARK` returned) to the follow
 * printing it (the journal stream, our capped writer, the follow's poll); and a whole `logs --journal`.
 */
async function logsFigures(name) {
  const mark = `bench-mark-${process.pid}-${Date.now()}`;
  const follow = spawn('node', ['dist/cli.js', 'logs', '--journal', '-f', name], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  let seenAt;
  follow.stdout.on('data', (d) => {
    out += d;
    if (seenAt === undefined && out.includes(mark)) seenAt = now();
  });
  const until = async (ok, ms) => {
    for (const t = now(); !ok() && now() - t < ms / 1000; ) await new Promise((r) => setTimeout(r, 10));
  };
  await until(() => SSH_POSSIBLE.test(out), 30_000);
  must(cli('ssh', name, '--', 'logger', mark), 'logger');
  const logged = now();
  await until(() => seenAt !== undefined, 30_000);
  follow.kill('SIGTERM');
  const t = now();
  must(cli('logs', '--journal', name), 'logs --journal');
  return { follow: seenAt === undefined ? undefined : seenAt - logged, whole: now() - t };
}

function memoryOverheadMiB(name) {
  const pid = execFileSync('podman', ['inspect', '--format', '{{.State.Pid}}', name], { encoding: 'utf8' }).trim();
  return processTree(pid).reduce((kib, p) => kib + overheadKiB(p.pid), 0) / 1024;
}

const rootlessRunSsh = prepareRootless(process.cwd());
console.log(`bench: ${IMAGE}, ${RUNS} run(s) each, ${ACCEL.toUpperCase()}, ${VCPUS} vCPU, ${MEMORY_MIB} MiB; baseline and engine alternate\n`);
for (let i = 0; i < RUNS; i++) {
  // baseline: boot to SSH, the guest's own split, then poweroff (its "--execute true" round trip)
  const b = await bootPlain({ image: IMAGE, memoryMiB: MEMORY_MIB, vcpus: VCPUS, accel: ACCEL });
  const ba = parseSystemdAnalyze(b.ssh(ANALYZE).stdout ?? '');
  push('baseline_ssh_s', b.sshS);
  push('baseline_kernel_s', ba.kernel);
  push('baseline_initrd_s', ba.initrd);
  push('baseline_userspace_s', ba.userspace);
  push('baseline_execute_s', await b.poweroff());
  // the tuned baseline: what anyone could copy of the engine's configuration
  const tb = await bootPlain({ image: IMAGE, memoryMiB: MEMORY_MIB, vcpus: VCPUS, accel: ACCEL, tuned: true });
  push('tuned_ssh_s', tb.sshS);
  push('tuned_execute_s', await tb.poweroff());

  const name = `bench-${process.pid}-${i}`;
  try {
    const e = await engineBoot(name);
    push('engine_ssh_s', e.sshS);
    push('launch_s', e.launched);
    push('ready_latency_s', e.readyLatency);
    push('first_login_s', e.firstLogin);
    push('engine_kernel_s', e.analyze.kernel);
    push('engine_initrd_s', e.analyze.initrd);
    push('engine_userspace_s', e.analyze.userspace);
    push('engine_side_s', e.analyze.total === undefined ? undefined : e.sshS - e.analyze.total);
    push('memory_overhead_mib', memoryOverheadMiB(name));
    const logs = await logsFigures(name);
    push('logs_follow_s', logs.follow);
    push('logs_journal_s', logs.whole);
  } finally {
    cli('rm', '-f', name);
  }
  let t = now();
  must(cli('run', '--rm', '--execute', 'true', ...SIZE, IMAGE), 'run --rm --execute true');
  push('engine_execute_s', now() - t);
  if (rootlessRunSsh) {
    // rootful and rootless (an ordinary user's podman: SSH through podman exec), the same command
    t = now();
    must(cli('run-ssh', '--rm', '--quiet', ...SIZE, IMAGE, '--', 'true'), 'run-ssh (rootful)');
    push('rootful_run_ssh_s', now() - t);
    push('rootless_run_ssh_s', rootlessRunSsh([...SIZE, IMAGE]));
  } else if (ARM64_IMAGE) {
    t = now();
    must(cli('run-ssh', '--rm', '--quiet', ...SIZE, IMAGE, '--', 'true'), 'run-ssh (rootful)');
    push('rootful_run_ssh_s', now() - t);
  }
  if (ARM64_IMAGE) {
    // the same command on the arm64 sample: qemu-system-aarch64 (TCG here), beside the amd64 one
    t = now();
    must(cli('run-ssh', '--rm', '--quiet', ...SIZE, ARM64_IMAGE, '--', 'true'), 'run-ssh (arm64)');
    push('arm64_run_ssh_s', now() - t);
  }
  console.log(`  run ${i + 1}/${RUNS}: plain ${figures.baseline_ssh_s.at(-1).toFixed(1)} s, tuned ${figures.tuned_ssh_s.at(-1).toFixed(1)} s, engine ${figures.engine_ssh_s.at(-1).toFixed(1)} s to SSH`);
}

if (process.env.BENCH_CACHE_NEVER !== '0') {
  // bcvk's own virtiofs cache mode, once: slow enough under TCG that it is not a baseline for the goals
  try {
    const nb = await bootPlain({ image: IMAGE, memoryMiB: MEMORY_MIB, vcpus: VCPUS, accel: ACCEL, cache: 'never', timeoutS: 600 });
    push('cache_never_ssh_s', nb.sshS);
    await nb.poweroff();
  } catch (e) {
    console.log(`  cache=never boot: ${e.message}`);
  }
}

if (process.env.BENCH_QUIET_KARGS !== '0') {
  // ready detection with quiet kernel arguments: the console then lacks the guest's lines, the journal has them
  const name = `bench-${process.pid}-quiet`;
  try {
    const e = await engineBoot(name, QUIET_KARGS.flatMap((k) => ['--karg', k]));
    push('quiet_kargs_ssh_s', e.sshS);
    push('quiet_kargs_gap_s', e.analyze.total === undefined ? undefined : e.sshS - e.analyze.total);
  } finally {
    cli('rm', '-f', name);
  }
}

{
  // ps over 50 VM containers: cheap labelled stand-ins (created, never started) of the engine's root image
  const root = execFileSync('podman', ['images', '--filter', 'label=io.bootc-ephemeral.container-root=1', '--format', '{{.Repository}}:{{.Tag}}'], { encoding: 'utf8' }).trim().split('\n')[0];
  const names = Array.from({ length: 50 }, (_, i) => `bench-ps-${process.pid}-${i}`);
  try {
    for (const n of names) execFileSync('podman', ['create', '--name', n, '--label', 'io.bootc-ephemeral=1', '--label', `io.bootc-ephemeral.image=${IMAGE}`, root, 'true'], { stdio: 'ignore' });
    for (let i = 0; i < 5; i++) {
      const t = now();
      must(cli('ps'), 'ps');
      push('ps_50_s', now() - t);
    }
  } finally {
    spawnSync('podman', ['rm', '-f', ...names], { stdio: 'ignore' });
  }
}

{
  // the extension's module load before activate(), with a stubbed vscode (fresh process per sample)
  for (let i = 0; i < 7; i++) push('extension_load_ms', Number(must(spawnSync('node', ['scripts/bench/extensionLoad.cjs'], { encoding: 'utf8' }), 'extension load').stdout));
  push('extension_bundle_kib', fs.statSync('dist/extension.js').size / 1024);
}

if (CONCURRENT > 0) {
  // how many small VMs reach SSH at once on this host, and how long each takes
  const names = Array.from({ length: CONCURRENT }, (_, i) => `bench-nano-${process.pid}-${i}`);
  try {
    const t0 = now();
    for (const n of names) must(cli('run', '-d', '-K', '--name', n, '--itype', 'u1.nano', '--accel', ACCEL, IMAGE), `run ${n}`);
    const results = await Promise.all(
      names.map(
        (n) =>
          new Promise((resolve) => {
            const p = spawn('node', ['dist/cli.js', 'ssh', '--timeout', '900', n, '--', 'true'], { stdio: 'ignore' });
            p.on('exit', (code) => resolve(code === 0 ? now() - t0 : undefined));
          }),
      ),
    );
    for (const r of results) push('concurrent_ssh_s', r);
    push('concurrent_reached', results.filter((r) => r !== undefined).length);
  } finally {
    spawnSync('node', ['dist/cli.js', 'rm', '-f', ...names], { stdio: 'ignore' });
  }
}

const m = (k) => median(figures[k]);
const ratio = (e, b) => (m(e) !== undefined && m(b) ? m(e) / m(b) : undefined);
// early SSH does not wait for the guest's start-up, which a quiet console shortens (printing to the serial
// console costs seconds under TCG): the quiet boot's time to SSH is compared with the normal one's instead
const quietExtra = m('quiet_kargs_ssh_s') !== undefined && m('engine_ssh_s') !== undefined ? m('quiet_kargs_ssh_s') - m('engine_ssh_s') : undefined;
const rows = [
  // [label, baseline, engine, value checked, goal, unit]
  ['boot -> SSH (s; baseline: tuned plain QEMU)', m('tuned_ssh_s'), m('engine_ssh_s'), ratio('engine_ssh_s', 'tuned_ssh_s'), { ratio: 0.5 }],
  ['run --rm --execute true (s; baseline: tuned)', m('tuned_execute_s'), m('engine_execute_s'), ratio('engine_execute_s', 'tuned_execute_s'), { ratio: 0.5 }],
  ['boot -> SSH (s; baseline: plain QEMU)', m('baseline_ssh_s'), m('engine_ssh_s'), ratio('engine_ssh_s', 'baseline_ssh_s'), { ratio: 0.5 }],
  ['run --rm --execute true (s; baseline: plain)', m('baseline_execute_s'), m('engine_execute_s'), ratio('engine_execute_s', 'baseline_execute_s'), { ratio: 0.5 }],
  ['boot -> SSH (s; plain QEMU, cache=never as bcvk, once)', m('cache_never_ssh_s'), m('engine_ssh_s'), ratio('engine_ssh_s', 'cache_never_ssh_s')],
  ['  guest kernel (s)', m('baseline_kernel_s'), m('engine_kernel_s'), ratio('engine_kernel_s', 'baseline_kernel_s')],
  ['  guest initrd (s)', m('baseline_initrd_s'), m('engine_initrd_s'), ratio('engine_initrd_s', 'baseline_initrd_s')],
  ['  guest userspace (s)', m('baseline_userspace_s'), m('engine_userspace_s'), ratio('engine_userspace_s', 'baseline_userspace_s')],
  ['  engine side: SSH - guest start-up (s)', undefined, m('engine_side_s')],
  ['rootless run-ssh -- true (s; baseline: rootful)', m('rootful_run_ssh_s'), m('rootless_run_ssh_s'), ratio('rootless_run_ssh_s', 'rootful_run_ssh_s'), { ratio: 1.1 }],
  ...(ARM64_IMAGE ? [['arm64 image: run-ssh -- true (s; baseline: amd64, informational)', m('rootful_run_ssh_s'), m('arm64_run_ssh_s'), ratio('arm64_run_ssh_s', 'rootful_run_ssh_s')]] : []),
  ['ready detection latency: line -> login attempt (s)', undefined, m('ready_latency_s'), m('ready_latency_s'), { max: 0.2 }],
  ['  then the guest\'s first login (s)', undefined, m('first_login_s')],
  ['quiet kargs: boot -> SSH (s)', undefined, m('quiet_kargs_ssh_s')],
  ['quiet kargs: SSH - guest start-up (s)', undefined, m('quiet_kargs_gap_s')],
  // robust ready detection: quiet arguments (no guest lines on the console) must not delay SSH
  ['  quiet boot -> SSH minus the normal one (s)', undefined, quietExtra, quietExtra, { max: 2 }],
  ['run -d returns (s)', undefined, m('launch_s'), m('launch_s'), { max: 3 }],
  ['ps with 50 VM containers (s)', undefined, m('ps_50_s'), m('ps_50_s'), { max: 0.3 }],
  ['logs --journal -f: a guest line shown after (s)', undefined, m('logs_follow_s'), m('logs_follow_s'), { max: 1 }],
  ['logs --journal, whole (s)', undefined, m('logs_journal_s')],
  ['extension module load, stubbed vscode (ms)', undefined, m('extension_load_ms'), m('extension_load_ms'), { max: 30 }],
  ['extension bundle (KiB)', undefined, m('extension_bundle_kib'), m('extension_bundle_kib'), { max: 1024 }],
  ['host memory per VM besides guest RAM (MiB)', undefined, m('memory_overhead_mib'), m('memory_overhead_mib'), { max: 150 }],
  ...(CONCURRENT > 0 ? [[`u1.nano VMs reaching SSH at once (of ${CONCURRENT})`, undefined, m('concurrent_reached'), m('concurrent_reached'), { min: CONCURRENT }], ['  their boot -> SSH, median (s)', undefined, m('concurrent_ssh_s')]] : []),
];
const fmt = (v) => (v === undefined ? '-' : v.toFixed(2));
let missed = 0;
console.log(`\n${'metric'.padEnd(56)} ${'baseline'.padStart(9)} ${'engine'.padStart(9)} ${'ratio'.padStart(7)}  goal`);
for (const [label, base, eng, checked, goal] of rows) {
  let verdict = '';
  if (goal) {
    const ok = checked !== undefined && (goal.ratio === undefined || checked <= goal.ratio) && (goal.max === undefined || checked <= goal.max) && (goal.min === undefined || checked >= goal.min);
    if (!ok) missed++;
    verdict = `${ok ? 'ok  ' : 'MISS'} ${goal.ratio !== undefined ? `ratio <= ${goal.ratio}` : goal.max !== undefined ? `<= ${goal.max}` : `>= ${goal.min}`}`;
  }
  const r = base !== undefined && goal?.ratio !== undefined ? checked : base !== undefined && eng !== undefined && base ? eng / base : undefined;
  console.log(`${label.padEnd(56)} ${fmt(base).padStart(9)} ${fmt(eng).padStart(9)} ${fmt(r).padStart(7)}  ${verdict}`);
}
const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
const result = { date: new Date().toISOString(), commit, image: IMAGE, accel: ACCEL, runs: RUNS, medians: Object.fromEntries(Object.keys(figures).map((k) => [k, m(k)])), figures };
fs.mkdirSync('bench-results', { recursive: true });
fs.writeFileSync('bench-results/latest.json', JSON.stringify(result, null, 2));
if (process.env.BENCH_RECORD === '1') {
  const row = `| ${result.date.slice(0, 10)} | ${commit} | ${ACCEL} | ${fmt(m('baseline_ssh_s'))} | ${fmt(m('engine_ssh_s'))} | ${fmt(ratio('engine_ssh_s', 'baseline_ssh_s'))} | ${fmt(m('baseline_execute_s'))} | ${fmt(m('engine_execute_s'))} | ${fmt(ratio('engine_execute_s', 'baseline_execute_s'))} | ${fmt(m('ready_latency_s'))} | ${fmt(m('ps_50_s'))} | ${fmt(m('memory_overhead_mib'))} | ${CONCURRENT > 0 ? `${m('concurrent_reached')}/${CONCURRENT}` : '-'} | ${fmt(m('tuned_ssh_s'))} | ${fmt(ratio('engine_ssh_s', 'tuned_ssh_s'))} | ${fmt(m('tuned_execute_s'))} | ${fmt(ratio('engine_execute_s', 'tuned_execute_s'))} |\n`;
  fs.appendFileSync('docs/benchmarks.md', row);
}
console.log(`\n${missed ? `${missed} goal(s) missed` : 'all goals met'}; bench-results/latest.json`);
process.exit(missed ? 1 : 0);
