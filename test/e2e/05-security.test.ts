import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cli, containerNames, stateDirs, IMAGE, podman, TEST_LABEL, STATE_ROOT, waitFor } from './harness';

// Hostile images and foreign containers (real podman; hostile images built here from the sample image).
// One real boot: the preload/env image must boot while its library never runs on the host side.
const HOSTILE = 'localhost/bootc-ephemeral-e2e-hostile:latest';
const EVIL_KERNEL_NAME = 'localhost/bootc-ephemeral-e2e-evil-kver:latest';
const EVIL_INITRAMFS_LINK = 'localhost/bootc-ephemeral-e2e-evil-initramfs:latest';
const HUGE_INITRAMFS = 'localhost/bootc-ephemeral-e2e-huge-initramfs:latest';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-security-'));
const victim = path.join(work, 'victim');

// A library that announces itself by creating a file in the directory the test binds in: under
// /run/host-mounts/probe on the container side (where QEMU and virtiofsd run), absent in the guest.
const LIBRARY_C = `
#include <fcntl.h>
#include <unistd.h>
__attribute__((constructor)) static void announce(void) {
  int fd = open("/run/host-mounts/probe/ran-" TAG, O_CREAT | O_WRONLY, 0644);
  if (fd >= 0) close(fd);
}
`;

async function build(tag: string, dir: string, containerfile: string): Promise<void> {
  fs.writeFileSync(path.join(dir, 'Containerfile'), containerfile);
  const r = await podman(['build', '--pull=never', '-t', tag, '-f', path.join(dir, 'Containerfile'), dir]);
  assert.equal(r.exitCode, 0, `building ${tag}: ${r.stderr}`);
}

before(async () => {
  fs.mkdirSync(victim);
  fs.writeFileSync(path.join(victim, 'precious'), 'keep me\n');
  const ctx = path.join(work, 'hostile');
  fs.mkdirSync(ctx);
  fs.writeFileSync(path.join(ctx, 'lib.c'), LIBRARY_C);
  for (const tag of ['preload', 'env']) {
    execFileSync('gcc', ['-shared', '-fPIC', `-DTAG="${tag}"`, '-o', path.join(ctx, `hostile-${tag}.so`), path.join(ctx, 'lib.c')]);
  }
  fs.writeFileSync(path.join(ctx, 'ld.so.preload'), '/usr/lib/hostile-preload.so\n');
  await build(
    HOSTILE,
    ctx,
    [
      `FROM ${IMAGE}`,
      'COPY hostile-preload.so hostile-env.so /usr/lib/',
      'COPY ld.so.preload /etc/ld.so.preload',
      'ENV LD_PRELOAD=/usr/lib/hostile-env.so',
      // containers inherit image labels: these must not make us delete the victim
      `LABEL io.bootc-ephemeral=1 io.bootc-ephemeral.state-dir=${victim}`,
    ].join('\n'),
  );
  const kctx = path.join(work, 'kver');
  fs.mkdirSync(kctx);
  await build(EVIL_KERNEL_NAME, kctx, `FROM ${IMAGE}\nRUN cd /usr/lib/modules && mv * "$(printf '6.1\\narg -evil')"\n`);
  await build(EVIL_INITRAMFS_LINK, kctx, `FROM ${IMAGE}\nRUN cd /usr/lib/modules/* && rm initramfs.img && ln -s /root/host-secret initramfs.img\n`);
  // a sparse initramfs just over the 1 GiB limit: cheap to store; a larger one would fill the container's /run before QEMU refused it
  await build(HUGE_INITRAMFS, kctx, `FROM ${IMAGE}\nRUN truncate -s 1100M /usr/lib/modules/*/initramfs.img\n`);
});

after(async () => {
  for (const tag of [HOSTILE, EVIL_KERNEL_NAME, EVIL_INITRAMFS_LINK, HUGE_INITRAMFS]) await podman(['rmi', '-f', tag]);
  fs.rmSync(work, { recursive: true, force: true });
});

test('the test library really runs where an image is a container root (so its absence below means something)', async () => {
  const probe = fs.mkdtempSync(path.join(work, 'probe-'));
  const r = await podman(['run', '--rm', '-v', `${probe}:/run/host-mounts/probe`, HOSTILE, '/bin/true']);
  assert.equal(r.exitCode, 0, String(r.stderr));
  assert.deepEqual(fs.readdirSync(probe).sort(), ['ran-env', 'ran-preload']);
});

test('a hostile image (/etc/ld.so.preload, ENV LD_PRELOAD, forged labels) boots, and nothing of it runs on the host side', { timeout: 300_000 }, async () => {
  const probe = fs.mkdtempSync(path.join(work, 'probe-'));
  const name = 'e2e-hostile';
  try {
    const r = await cli(['run', '--rm', '--name', name, '--label', TEST_LABEL, '--bind', `${probe}:probe`, '--execute', '/bin/sh -c "echo booted-$((6*7)); test -s /etc/ld.so.preload"', HOSTILE]);
    assert.equal(r.exitCode, 0, `the VM booted the hostile image and ran the command: ${r.stderr}`);
    assert.match(String(r.stdout), /booted-42/);
    assert.deepEqual(fs.readdirSync(probe), [], 'the library ran in the privileged container (supervisor, virtiofsd or QEMU)');
    assert.ok(fs.existsSync(path.join(victim, 'precious')));
    assert.ok(!(await containerNames()).includes(name));
    assert.ok(!stateDirs().includes(name));
  } finally {
    await podman(['rm', '-f', name]);
  }
});

test('containers with our labels, set on them or inherited from their image, are foreign: listed nowhere, touched by nothing, breaking nothing', { timeout: 300_000 }, async () => {
  const forged = ['e2e-forged-image', 'e2e-forged-labels'];
  const forgedLabels = ['io.bootc-ephemeral=1', 'io.bootc-ephemeral.ssh=1', 'io.bootc-ephemeral.accel=kvm', 'io.bootc-ephemeral.image=evil', 'io.bootc-ephemeral.ssh-host-port=22', `io.bootc-ephemeral.state-dir=${victim}`];
  const name = 'e2e-beside-forged';
  try {
    // plain running containers: one of an image carrying our labels, one with them set on it by hand
    assert.equal((await podman(['run', '-d', '--name', forged[0], '--label', TEST_LABEL, HOSTILE, 'sleep', '600'])).exitCode, 0);
    assert.equal((await podman(['run', '-d', '--name', forged[1], '--label', TEST_LABEL, ...forgedLabels.flatMap((l) => ['--label', l]), IMAGE, 'sleep', '600'])).exitCode, 0);
    // and a real VM of ours beside them
    const run = await cli(['run', '-d', '-K', '--name', name, '--label', TEST_LABEL, IMAGE]);
    assert.equal(run.exitCode, 0, String(run.stderr));
    const ps = await cli(['ps', '--json']);
    assert.equal(ps.exitCode, 0, String(ps.stderr));
    const listed = (JSON.parse(String(ps.stdout)) as { name: string }[]).map((v) => v.name);
    assert.ok(listed.includes(name), 'our VM is listed');
    for (const n of forged) {
      assert.ok(!listed.includes(n), `${n} is not listed as a VM`);
      for (const verb of ['stop', 'rm', 'inspect']) {
        const r = await cli([verb, n]);
        assert.equal(r.exitCode, 1, `${verb} ${n}: ${r.stderr}`);
        assert.match(String(r.stderr), new RegExp(`no VM named ${n}`));
      }
    }
    const config = await cli(['ssh-config']);
    assert.equal(config.exitCode, 0, `ssh-config works with foreign containers around: ${config.stderr}`);
    assert.match(String(config.stdout), new RegExp(`Host ${name}\\b`));
    assert.doesNotMatch(String(config.stdout), /e2e-forged/);
    assert.equal((await cli(['rm-all', '-f'])).exitCode, 0);
    for (const n of forged) assert.equal(String((await podman(['inspect', '--format', '{{.State.Status}}', n])).stdout).trim(), 'running', `rm-all left ${n} running`);
    assert.ok(!(await containerNames()).includes(name), 'rm-all removed our VM');
    assert.equal(fs.readFileSync(path.join(victim, 'precious'), 'utf8'), 'keep me\n', 'the labelled path is untouched');
  } finally {
    for (const n of [...forged, name]) await podman(['rm', '-f', '-t', '0', n]);
    fs.rmSync(path.join(STATE_ROOT, name), { recursive: true, force: true });
  }
});

test('an initramfs over the limit is refused with its size before anything starts', async () => {
  const before_ = { containers: await containerNames(), state: stateDirs() };
  const r = await cli(['run', '-d', '-K', '--label', TEST_LABEL, HUGE_INITRAMFS]);
  assert.equal(r.exitCode, 1, String(r.stderr));
  assert.match(String(r.stderr), /initramfs \S+initramfs\.img is 1153433600 bytes: more than the 1024 MiB a VM may load/);
  assert.deepEqual(await containerNames(), before_.containers);
  assert.deepEqual(stateDirs(), before_.state);
});

test('a kernel directory name with a newline is refused before anything starts', async () => {
  const before_ = { containers: await containerNames(), state: stateDirs() };
  const r = await cli(['run', '-d', '-K', '--label', TEST_LABEL, EVIL_KERNEL_NAME]);
  assert.equal(r.exitCode, 1, String(r.stderr));
  assert.match(String(r.stderr), /image localhost\/bootc-ephemeral-e2e-evil-kver:latest: the kernel directory name "6\.1\\narg -evil" .* is not a kernel release/);
  assert.deepEqual(await containerNames(), before_.containers);
  assert.deepEqual(stateDirs(), before_.state);
});

test('an initramfs symlink to an absolute path resolves inside the image, and leaving the kernel directory is refused', async () => {
  const secret = '/root/host-secret';
  const hadSecret = fs.existsSync(secret);
  if (!hadSecret) fs.writeFileSync(secret, 'host secret\n', { mode: 0o600 });
  try {
    const before_ = { containers: await containerNames(), state: stateDirs() };
    const r = await cli(['run', '-d', '-K', '--label', TEST_LABEL, EVIL_INITRAMFS_LINK]);
    assert.equal(r.exitCode, 1, String(r.stderr));
    assert.match(String(r.stderr), /initramfs\.img is a symlink to \/root\/host-secret, which leads out of \/usr\/lib\/modules/);
    assert.deepEqual(await containerNames(), before_.containers);
    assert.deepEqual(stateDirs(), before_.state);
  } finally {
    if (!hadSecret) fs.rmSync(secret, { force: true });
  }
});

const running = async (name: string) => String((await podman(['inspect', '--format', '{{.State.Status}}', name])).stdout).trim() === 'running';

test('two launches with one name at once: one wins, the other fails clearly and touches nothing of it', { timeout: 120_000 }, async () => {
  const name = 'e2e-race';
  try {
    const [a, b] = await Promise.all([0, 1].map(() => cli(['run', '-d', '--name', name, '--label', TEST_LABEL, IMAGE])));
    const results = [a, b].sort((x, y) => Number(x.exitCode) - Number(y.exitCode));
    assert.equal(results[0].exitCode, 0, String(results[0].stderr));
    assert.equal(results[1].exitCode, 1, String(results[1].stderr));
    assert.match(String(results[1].stderr), /e2e-race (exists or is being started|already exists)|name "e2e-race" is already in use/);
    await waitFor(`${name} running`, () => running(name), 20_000);
    assert.ok(fs.existsSync(path.join(STATE_ROOT, name, 'plan')), "the winner's state dir is intact");
    assert.equal(String((await podman(['inspect', '--format', '{{.Id}}', name])).stdout).trim(), String(results[0].stdout).trim(), "the winner's container is intact");
  } finally {
    await cli(['rm', '-f', name]);
  }
  assert.ok(!stateDirs().includes(name));
});
