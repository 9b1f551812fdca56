import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { until, activateExtension } from './helpers';
import type { VmTreeItem } from '../../src/vscode/tree/vmTreeProvider';
import { Podman } from '../../src/engine/podman/podman';
import { ensureContainerRoot } from '../../src/engine/podman/containerRoot';

// arm64 in the extension, without an arm64 boot (12-arm64 in the e2e suite boots them): a bootc image
// imported as arm64 for the Boot Image picker, and a created (never started) VM container of ours
// labelled arm64 for the VMs view.
const run = promisify(execFile);
const ARM64_IMAGE = 'localhost/bootc-ephemeral-vscode-arm64:latest';
const STAND_IN = 'vscode-arm64-stand-in';

describe('arm64 images and VMs in the extension', function () {
  this.timeout(120_000);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vscode-arm64-'));

  before(async () => {
    fs.writeFileSync(path.join(work, 'marker'), 'not a real OS: listed only\n');
    await run('tar', ['-C', work, '-cf', path.join(work, 'root.tar'), 'marker']);
    await run('podman', ['import', '--arch', 'arm64', '--change', 'LABEL containers.bootc=1', path.join(work, 'root.tar'), ARM64_IMAGE]);
    const root = await ensureContainerRoot(new Podman());
    await run('podman', ['create', '--name', STAND_IN, '--label', 'io.bootc-ephemeral=1', '--label', 'io.bootc-ephemeral.image=localhost/bootc-sample:arm64', '--label', 'io.bootc-ephemeral.arch=arm64', '--label', 'io.bootc-ephemeral.accel=tcg', root, 'true']);
  });

  after(async () => {
    await run('podman', ['rm', '-f', STAND_IN]).catch(() => undefined);
    await run('podman', ['rmi', '-f', ARM64_IMAGE]).catch(() => undefined);
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('the VMs view shows an arm64 VM\'s architecture on this amd64 machine: in its line and its tooltip', async () => {
    const api = await activateExtension();
    await vscode.commands.executeCommand('bootcEphemeral.refresh');
    const item = await until('the arm64 VM in the view', () => api.services.tree.getChildren().find((i) => 'vm' in i && (i as VmTreeItem).vm.name === STAND_IN) as VmTreeItem | undefined, 30_000);
    assert.match(String(item.description), /^bootc-sample:arm64 · arm64 · /);
    assert.match((item.tooltip as vscode.MarkdownString).value, /Architecture: arm64/);
  });

  it('Boot Image lists arm64 bootc images, saying so', async () => {
    const shown: vscode.QuickPickItem[][] = [];
    const original = vscode.window.showQuickPick;
    // capture what the picker offers, pick nothing (so nothing boots)
    (vscode.window as { showQuickPick: unknown }).showQuickPick = async (items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>) => {
      shown.push([...(await items)]);
      return undefined;
    };
    try {
      await vscode.commands.executeCommand('bootcEphemeral.bootImage');
    } finally {
      (vscode.window as { showQuickPick: unknown }).showQuickPick = original;
    }
    const offered = shown[0]?.find((i) => i.label === ARM64_IMAGE);
    assert.ok(offered, `the picker offers ${ARM64_IMAGE}: ${JSON.stringify(shown)}`);
    assert.match(String(offered.description), /^arm64 · /);
  });
});
