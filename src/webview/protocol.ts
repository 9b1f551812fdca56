// The run form's messages, typed once for both sides: the page (src/webview/runForm.ts) and the
// extension host (src/vscode/webview/runFormPanel.ts). Type-only: nothing here runs in the page.
import type { FormCheck, FormField, FormValues } from '../engine/options/formModel';

/** page -> extension host */
export type PageMessage =
  | { type: 'ready' }
  | { type: 'check'; values: FormValues; changed?: string }
  | { type: 'save' | 'boot'; values: FormValues }
  | { type: 'pickFolder'; field: string }
  | { type: 'copy'; text: string };

/** extension host -> page (every text the page shows comes from the host, localized) */
export type PanelMessage =
  | { type: 'init'; values: FormValues; images: string[]; fields: readonly FormField[]; title: string }
  | { type: 'check'; check: FormCheck; status: string }
  | { type: 'set'; values: Record<string, string> }
  | { type: 'folderPicked'; field: string; path: string }
  | { type: 'saved'; status: string };
