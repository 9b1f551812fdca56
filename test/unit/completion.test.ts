import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { COMMANDS } from '../../src/cli/commands';
import { bashCompletion, fishCompletion, zshCompletion } from '../../src/cli/completion';
import { manPage } from '../../src/cli/manPage';

/** Runs the generated bash completion for a command line, as bash would on TAB. */
function complete(words: string[]): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bootc-eph-compl-'));
  try {
    const script = path.join(dir, 'c.bash');
    fs.writeFileSync(script, bashCompletion(COMMANDS));
    // a stand-in podman on PATH: completion asks podman for VM names and images
    fs.writeFileSync(path.join(dir, 'podman'), '#!/bin/sh\ncase "$1" in ps) echo dev-vm; echo other-vm ;; images) echo localhost/bootc-sample:latest ;; esac\n', { mode: 0o755 });
    const words_ = words.map((w) => `'${w}'`).join(' ');
    const r = spawnSync('bash', ['-c', `source ${script}; COMP_WORDS=(${words_}); COMP_CWORD=${words.length - 1}; _bootc_ephemeral; printf '%s\\n' "\${COMPREPLY[@]}"`], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
    });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split('\n').filter(Boolean).sort();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('bash completion: commands, flags, VM names, images, made from the command table', () => {
  assert.equal(spawnSync('bash', ['-n'], { input: bashCompletion(COMMANDS) }).status, 0, 'valid bash');
  assert.deepEqual(complete(['bootc-ephemeral', 'r']), ['restart', 'rm', 'rm-all', 'run', 'run-ssh']);
  assert.deepEqual(complete(['bootc-ephemeral', 'ps', '--']), ['--all', '--filter', '--help', '--json', '--quiet']);
  assert.ok(complete(['bootc-ephemeral', 'run', '--allow']).includes('--allow-system-bind'));
  assert.deepEqual(complete(['bootc-ephemeral', 'ssh', '']), ['dev-vm', 'other-vm']);
  assert.deepEqual(complete(['bootc-ephemeral', 'run', '--rm', 'local']), ['localhost/bootc-sample:latest']);
  assert.deepEqual(complete(['bootc-ephemeral', 'completion', '']), ['bash', 'fish', 'man', 'zsh']);
  assert.deepEqual(complete(['bootc-ephemeral', 'help', 'do']), ['doctor']);
});

test('zsh and fish completion and the man page name every command and every flag', () => {
  const zsh = zshCompletion(COMMANDS);
  const fish = fishCompletion(COMMANDS);
  const man = manPage(COMMANDS, '9.9.9');
  assert.match(zsh, /^#compdef bootc-ephemeral$/m);
  assert.match(man, /^\.TH BOOTC\\-EPHEMERAL 1 "" "bootc-ephemeral 9\.9\.9"/);
  for (const [name, c] of Object.entries(COMMANDS)) {
    assert.match(zsh, new RegExp(`^_bootc_ephemeral_${name.replace(/-/g, '_')}\\(\\)`, 'm'), name);
    assert.ok(fish.includes(`-n '__fish_use_subcommand' -a ${name} `), name);
    assert.ok(man.includes(`.SS ${name.replace(/-/g, '\\-')}\n`), name);
    for (const f of c.spec.flags) {
      assert.ok(zsh.includes(`--${f.long}`), `zsh: ${name} --${f.long}`);
      assert.ok(fish.includes(`-n '__fish_seen_subcommand_from ${name}' -l ${f.long}`), `fish: ${name} --${f.long}`);
      assert.ok(man.includes(`\\fB\\-\\-${f.long.replace(/-/g, '\\-')}\\fR`), `man: ${name} --${f.long}`);
    }
  }
  // setup.sh installs zsh and fish, so their own parsers check the scripts
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bootc-eph-compl-'));
  try {
    for (const [shell, text] of [['zsh', zsh], ['fish', fish]]) {
      const file = path.join(dir, `completion.${shell}`);
      fs.writeFileSync(file, text);
      const r = spawnSync(shell, ['-n', file], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${shell} -n: ${r.error ?? r.stderr}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
