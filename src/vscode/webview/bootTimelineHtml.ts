// Pure: the Boot Timeline page for one VM, from the guest's systemd-analyze (unit-tested without VS
// Code). No script: the charts are SVG drawn here; the page's CSP allows only its own style block.
import * as l10n from '@vscode/l10n';
import type { BootAnalysis } from '../../engine/guest/bootAnalysis';

const WIDTH = 640;
const LABEL = 250;
const ROW = 22;

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const seconds = (s: number | undefined) => (s === undefined ? '?' : s >= 10 ? `${s.toFixed(1)} s` : `${s.toFixed(2)} s`);

/** The kernel | initrd | userspace bar, each part as wide as its share of the boot. */
function phasesChart(p: BootAnalysis['phases']): string {
  const parts = (['kernel', 'initrd', 'userspace'] as const).filter((k) => (p[k] ?? 0) > 0).map((k) => ({ k, s: p[k]! }));
  const total = parts.reduce((sum, x) => sum + x.s, 0);
  if (!total) return `<p class="muted">${escape(l10n.t('The guest did not report its start-up time.'))}</p>`;
  let x = 0;
  const segments = parts.map(({ k, s }) => {
    const w = (s / total) * WIDTH;
    const seg = `<rect class="${k}" x="${x.toFixed(1)}" y="0" width="${w.toFixed(1)}" height="28"><title>${escape(`${k}: ${seconds(s)}`)}</title></rect>` +
      (w > 70 ? `<text x="${(x + 6).toFixed(1)}" y="19" class="on-bar">${escape(`${k} ${seconds(s)}`)}</text>` : '');
    x += w;
    return seg;
  });
  const legend = parts.map(({ k, s }) => `<span class="key ${k}-key"></span>${escape(k)} ${escape(seconds(s))}`).join(' &nbsp; ');
  return `<svg width="${WIDTH}" height="28" role="img" aria-label="${escape(l10n.t('Boot phases'))}">${segments.join('')}</svg><p>${legend} &nbsp; = <b>${escape(seconds(p.total ?? total))}</b></p>`;
}

/** The units sshd waited for, earliest first, each a bar from when it began starting (@) for as long as it took (+). */
function chainChart(chain: BootAnalysis['criticalChain']): string {
  if (!chain.length) return `<p class="muted">${escape(l10n.t('systemd-analyze gave no chain for sshd.service.'))}</p>`;
  const rows = [...chain].reverse();
  const end = Math.max(...rows.map((r) => (r.activatedAt ?? 0) + (r.took ?? 0)), 0.001);
  const scale = (WIDTH - LABEL - 70) / end;
  const body = rows.map((r, i) => {
    const y = i * ROW;
    const at = r.activatedAt ?? 0;
    const w = Math.max(2, (r.took ?? 0) * scale);
    const label = `${r.unit}`;
    return `<text x="0" y="${y + 15}" class="unit">${escape(label.length > 34 ? `${label.slice(0, 33)}…` : label)}<title>${escape(label)}</title></text>` +
      `<rect class="${r.took ? 'took' : 'reached'}" x="${(LABEL + at * scale).toFixed(1)}" y="${y + 4}" width="${w.toFixed(1)}" height="14"><title>${escape(`${label}: @${seconds(at)}${r.took ? ` +${seconds(r.took)}` : ''}`)}</title></rect>` +
      `<text x="${(LABEL + at * scale + w + 6).toFixed(1)}" y="${y + 15}" class="time">${escape(`@${seconds(at)}${r.took ? ` +${seconds(r.took)}` : ''}`)}</text>`;
  });
  return `<svg width="${WIDTH}" height="${rows.length * ROW}" role="img" aria-label="${escape(l10n.t('Critical chain to sshd'))}">${body.join('')}</svg>`;
}

function slowestChart(slowest: BootAnalysis['slowest']): string {
  if (!slowest.length) return `<p class="muted">${escape(l10n.t('No unit timings.'))}</p>`;
  const max = Math.max(...slowest.map((s) => s.took), 0.001);
  const body = slowest.map((s, i) => {
    const y = i * ROW;
    const w = Math.max(2, (s.took / max) * (WIDTH - LABEL - 70));
    return `<text x="0" y="${y + 15}" class="unit">${escape(s.unit.length > 34 ? `${s.unit.slice(0, 33)}…` : s.unit)}<title>${escape(s.unit)}</title></text>` +
      `<rect class="took" x="${LABEL}" y="${y + 4}" width="${w.toFixed(1)}" height="14"></rect>` +
      `<text x="${(LABEL + w + 6).toFixed(1)}" y="${y + 15}" class="time">${escape(seconds(s.took))}</text>`;
  });
  return `<svg width="${WIDTH}" height="${slowest.length * ROW}" role="img" aria-label="${escape(l10n.t('Slowest units'))}">${body.join('')}</svg>`;
}

export function bootTimelineHtml(vmName: string, a: BootAnalysis, nonce: string, cspSource: string): string {
  const h = (s: string) => escape(s);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'nonce-${nonce}'; img-src ${cspSource};">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 8px 20px 24px; max-width: 760px; }
  h1 { font-size: 1.3em; font-weight: 600; } h2 { font-size: 1.05em; font-weight: 600; margin-top: 22px; }
  .muted, .hint { color: var(--vscode-descriptionForeground); }
  svg text { fill: var(--vscode-foreground); font-size: 12px; font-family: var(--vscode-editor-font-family); }
  svg text.on-bar { fill: var(--vscode-editor-background); font-weight: 600; }
  svg text.time { fill: var(--vscode-descriptionForeground); }
  .kernel, .kernel-key { fill: var(--vscode-charts-blue); background: var(--vscode-charts-blue); }
  .initrd, .initrd-key { fill: var(--vscode-charts-purple); background: var(--vscode-charts-purple); }
  .userspace, .userspace-key { fill: var(--vscode-charts-green); background: var(--vscode-charts-green); }
  .took { fill: var(--vscode-charts-orange); } .reached { fill: var(--vscode-charts-yellow); }
  .key { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
</style></head>
<body>
<h1>${h(l10n.t('Boot timeline: {0}', vmName))}</h1>
${a.notFinished ? `<p class="muted">${h(l10n.t('The guest has not finished starting up yet: the figures below are what it knows so far. Show the timeline again once the VM is ready.'))}</p>` : ''}
<h2>${h(l10n.t('Where the boot went'))}</h2>
${phasesChart(a.phases)}
<h2>${h(l10n.t('What sshd waited for (critical chain)'))}</h2>
<p class="hint">${h(l10n.t('Each unit below had to be up before the next: shortening this chain is what brings SSH sooner. Times count from the start of userspace.'))}</p>
${chainChart(a.criticalChain)}
<h2>${h(l10n.t('Slowest units'))}</h2>
<p class="hint">${h(l10n.t('Units not on the chain above run alongside it: they cost CPU time but do not delay SSH by themselves.'))}</p>
${slowestChart(a.slowest)}
<p class="hint">${h(l10n.t('From the guest\'s systemd-analyze (time, critical-chain sshd.service, blame).'))}</p>
</body></html>`;
}
