import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Services } from '../../services';
import { listBootcImages } from '../../../engine/podman/images';
import type { ConfigurationFields } from '../../../engine/options/configFile';
import { pickConfigurationFolder } from '../../config/pickFolder';

export const id = 'bootcEphemeral.addConfiguration';

/**
 * Add a configuration: a name and an image (or a Containerfile of the workspace), with the user's
 * default memory; written to .vscode/bootc-ephemeral.yaml, which opens for the rest.
 */
export async function run(s: Services, fields?: ConfigurationFields): Promise<vscode.Uri | undefined> {
  const folder = await pickConfigurationFolder(vscode.l10n.t('Add the configuration to which folder?'));
  if (!folder) return undefined;
  if (!fields) {
    const name = await vscode.window.showInputBox({
      prompt: vscode.l10n.t('Configuration name'),
      validateInput: (v) => (!v.trim() ? vscode.l10n.t('A name is required') : s.configs.find(v.trim(), folder) ? vscode.l10n.t('That name is taken') : undefined),
    });
    if (!name) return undefined;
    const containerfiles = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/{Containerfile,Dockerfile,*.containerfile,*.dockerfile}'), '**/node_modules/**', 20);
    const images = await listBootcImages(s.podman()).catch(() => []);
    const pick = await vscode.window.showQuickPick(
      [
        ...images.map((i) => ({ label: i.name, description: vscode.l10n.t('image'), fields: { image: i.name } })),
        ...containerfiles.map((u) => ({ label: vscode.workspace.asRelativePath(u, false), description: vscode.l10n.t('build'), fields: { containerfile: `\${workspaceFolder}/${path.posix.relative(folder.uri.path, u.path)}` } })),
      ],
      { placeHolder: vscode.l10n.t('Boot which image, or build which Containerfile?') },
    );
    if (!pick) return undefined;
    fields = { name: name.trim(), ...pick.fields, memory: vscode.workspace.getConfiguration('bootcEphemeral').get<string>('defaultMemory') };
  }
  const file = await s.configs.save(folder, fields);
  return file;
}
