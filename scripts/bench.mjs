// npm run bench: speed and memory goals of the engine, measured on real VMs (not timed tests).
// Prints a table and writes bench-results/latest.json; exits 1 when a goal is missed.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';

const IMAGE = process.env.BENCH_IMAGE ?? 'localhost/bootc-sample:latest';
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const cli = (...args) => spawnSync('node', ['dist/cli.js', ...args], { encoding: 'utf8' });
const now = () => performance.now() / 1000;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const results = { time_to_ssh_s: [], launch_s: [], ps_s: [], stop_s: [], virtiofsd_rss_mib: [], qemu_rss_mib: [] };
for (let i = 0; i < RUNS; i++) {
  const name = `bench-${process.pid}-${i}`;
  let t = now();
  const run = cli('run', '-d', '-K', '--name', name, '--memory', '2G', IMAGE);
  if (run.status !== 0) throw new Error(run.stderr);
  results.launch_s.push(now() - t);
  const ssh = cli('ssh', name, '--', 'true');
  if (ssh.status !== 0) throw new Error(ssh.stderr);
  results.time_to_ssh_s.push(now() - t);
  t = now();
  cli('ps');
  results.ps_s.push(now() - t);
  // memory the VM costs the host besides guest RAM: virtiofsd + supervisor + QEMU overhead
  const pid = execFileSync('podman', ['inspect', '--format', '{{.State.Pid}}', name], { encoding: 'utf8' }).trim();
  // every descendant of the supervisor (virtiofsd forks into its sandbox)
  const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,rss=,args='], { encoding: 'utf8' }).trim().split('\n').map((l) => l.trim().split(/\s+/));
  const tree = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [p, pp] of table) {
      if (tree.has(pp) && !tree.has(p)) {
        tree.add(p);
        grew = true;
      }
    }
  }
  let vfsd = 0;
  let qemu = 0;
  for (const [p, , rss, ...args] of table) {
    if (!tree.has(p)) continue;
    if (args.some((a) => a.endsWith('/virtiofsd'))) vfsd += Number(rss);
    if (args.some((a) => a.includes('qemu-system'))) qemu += Number(rss);
  }
  results.virtiofsd_rss_mib.push(vfsd / 1024);
  results.qemu_rss_mib.push(qemu / 1024);
  t = now();
  cli('stop', name);
  results.stop_s.push(now() - t);
  cli('rm', '-f', name);
}

const goals = {
  time_to_ssh_s: { max: Number(process.env.BENCH_SSH_GOAL ?? 90), why: 'TCG boot to SSH (KVM hosts: expect < 10 s)' },
  launch_s: { max: 3, why: 'CLI run -d returns (checks, state dir, initramfs, podman run)' },
  ps_s: { max: 1, why: 'listing VMs: one podman ps' },
  stop_s: { max: 3, why: 'stop: SIGTERM to the supervisor, QEMU ends at once' },
  virtiofsd_rss_mib: { max: 200, why: 'host memory of the virtiofsd processes' },
  qemu_rss_mib: { max: 2048 + 400, why: 'QEMU resident memory after boot, 2G guest (guest pages touched + QEMU)' },
};
let missed = 0;
console.log(`bench: ${RUNS} run(s) of ${IMAGE}\n`);
for (const [k, g] of Object.entries(goals)) {
  const m = median(results[k]);
  const ok = m <= g.max;
  if (!ok) missed++;
  console.log(`${ok ? 'ok  ' : 'MISS'} ${k.padEnd(24)} median ${m.toFixed(2).padStart(8)}  goal <= ${g.max}  (${g.why})`);
}
mkdirSync('bench-results', { recursive: true });
writeFileSync('bench-results/latest.json', JSON.stringify({ date: new Date().toISOString(), image: IMAGE, results, goals }, null, 2));
process.exit(missed ? 1 : 0);
