// Local vs remote podman, and local before vs after a change, measured alternately in one run:
// boot -> first SSH command (`run-ssh --rm IMAGE -- true`) and `ps` over 50 labelled stand-in containers.
// "remote" is the same machine's podman through `podman system service` on a unix socket (CONTAINER_HOST).
//   BENCH_BEFORE_CLI=/path/to/older/dist/cli.js   (optional: adds the "before" column)
//   BENCH_RUNS=3 node scripts/bench/localVsRemote.mjs
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const IMAGE = process.env.BENCH_IMAGE ?? 'localhost/bootc-sample:latest';
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-remote-'));
const socket = path.join(work, 'podman.sock');
const remoteEnv = { CONTAINER_HOST: `unix://${socket}`, BOOTC_EPHEMERAL_STATE_DIR: path.join(work, 'client-state') };
const variants = [
  ...(process.env.BENCH_BEFORE_CLI ? [{ name: 'local, before', cli: process.env.BENCH_BEFORE_CLI, env: {} }] : []),
  { name: 'local', cli: path.join(root, 'dist/cli.js'), env: {} },
  { name: 'remote (unix socket)', cli: path.join(root, 'dist/cli.js'), env: remoteEnv },
];

const service = spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], { stdio: 'ignore' });
const seconds = (argv, env) => {
  const start = Date.now();
  execFileSync('node', argv, { env: { ...process.env, ...env }, stdio: 'ignore' });
  return (Date.now() - start) / 1000;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const standIns = [];
try {
  for (let i = 0; i < 200 && !fs.existsSync(socket); i++) await new Promise((r) => setTimeout(r, 100));
  const boot = Object.fromEntries(variants.map((v) => [v.name, []]));
  for (let i = 0; i < RUNS; i++) for (const v of variants) boot[v.name].push(seconds([v.cli, 'run-ssh', '--rm', '--quiet', IMAGE, '--', 'true'], v.env));
  const rootImage = execFileSync('podman', ['images', '--format', '{{.Repository}}:{{.Tag}}'], { encoding: 'utf8' }).split('\n').find((l) => l.includes('bootc-ephemeral-root'));
  for (let i = 0; i < 50; i++) standIns.push(execFileSync('podman', ['create', '--label', 'io.bootc-ephemeral=1', '--name', `bench-standin-${process.pid}-${i}`, rootImage, 'true'], { encoding: 'utf8' }).trim());
  const ps = Object.fromEntries(variants.map((v) => [v.name, []]));
  for (let i = 0; i < 5; i++) for (const v of variants) ps[v.name].push(seconds([v.cli, 'ps'], v.env));
  console.log(`${'variant'.padEnd(22)} ${'boot -> SSH (median s)'.padEnd(24)} ${'ps, 50 containers (median s)'}`);
  for (const v of variants) console.log(`${v.name.padEnd(22)} ${median(boot[v.name]).toFixed(2).padEnd(24)} ${median(ps[v.name]).toFixed(3)}`);
  console.log(JSON.stringify({ runs: RUNS, boot, ps }));
} finally {
  if (standIns.length) execFileSync('podman', ['rm', '-f', ...standIns], { stdio: 'ignore' });
  service.kill('SIGTERM');
  fs.rmSync(work, { recursive: true, force: true });
}
