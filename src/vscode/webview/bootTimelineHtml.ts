// Pure: the Boot Timeline page for one VM, from the guest's systemd-analyze (unit-tested without VS
// Code). No script: the charts are SVG drawn here; the page's CSP allows only its own style block.
import * as l10n from '@vscode/l10n';
import { sshPossibleAt, type BootAnalysis } from '../../engine/guest/bootAnalysis';
import type { ImageKargsFile } from '../../engine/vm/imageKargs';
import { pageHead } from './pageHead';

const WIDTH = 640;
const LABEL = 250;
const ROW = 22;
/** room right of the bars for their "@12.3 s +4.15 s" */
const TIME_ROOM = 130;

/** a unit's name in the label column (long ones shortened; the row's title has it whole) */
const unitLabel = (unit: string, y: number) => `<text x="0" y="${y + 15}" class="unit">${escape(unit.length > 34 ? `${unit.slice(0, 33)}…` : unit)}</text>`;

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const seconds = (s: number | undefined) => (s === undefined ? '?' : s >= 10 ? `${s.toFixed(1)} s` : `${s.toFixed(2)} s`);

/** The kernel | initrd | userspace bar, each part as wide as its share of the boot; a mark where SSH became possible. */
function phasesChart(p: BootAnalysis['phases'], sshAt: number | undefined): string {
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
  const sshLabel = sshAt === undefined ? '' : l10n.t('SSH possible at {0}', seconds(sshAt));
  if (sshAt !== undefined && sshAt <= total) {
    const at = ((sshAt / total) * WIDTH).toFixed(1);
    segments.push(`<rect class="ssh" x="${at}" y="0" width="3" height="36"><title>${escape(sshLabel)}</title></rect>`);
  }
  const legend = parts.map(({ k, s }) => `<span class="key ${k}-key"></span>${escape(k)} ${escape(seconds(s))}`).join(' &nbsp; ');
  const sshLine = sshAt === undefined ? '' : `<p><span class="key ssh-key"></span>${escape(sshAt < total
    ? l10n.t('{0}: {1} before the guest\'s start-up finished.', sshLabel, seconds(total - sshAt))
    : l10n.t('{0}, once the guest\'s start-up had finished.', sshLabel))}</p>`;
  return `<svg width="${WIDTH}" height="36" role="img" aria-label="${escape(l10n.t('Boot phases'))}">${segments.join('')}</svg><p>${legend} &nbsp; = <b>${escape(seconds(p.total ?? total))}</b></p>${sshLine}`;
}

/** The units SSH waited for, earliest first, each a bar from when it began starting (@) for as long as it took (+). */
function chainChart(chain: BootAnalysis['criticalChain']): string {
  if (!chain.length) return `<p class="muted">${escape(l10n.t('systemd-analyze gave no chain for the unit SSH waited for.'))}</p>`;
  const rows = [...chain].reverse();
  const end = Math.max(...rows.map((r) => (r.activatedAt ?? 0) + (r.took ?? 0)), 0.001);
  const scale = (WIDTH - LABEL - TIME_ROOM) / end;
  const body = rows.map((r, i) => {
    const y = i * ROW;
    // units systemd gives no time for (slices, sockets set up before it measured) get a name and no bar
    if (r.activatedAt === undefined) return `<g>${unitLabel(r.unit, y)}<text x="${LABEL}" y="${y + 15}" class="time">—</text></g>`;
    const at = r.activatedAt;
    const w = Math.max(2, (r.took ?? 0) * scale);
    const times = `@${seconds(at)}${r.took ? ` +${seconds(r.took)}` : ''}`;
    return `<g><title>${escape(`${r.unit}: ${times}`)}</title>${unitLabel(r.unit, y)}` +
      `<rect class="${r.took ? 'took' : 'reached'}" x="${(LABEL + at * scale).toFixed(1)}" y="${y + 4}" width="${w.toFixed(1)}" height="14"></rect>` +
      `<text x="${(LABEL + at * scale + w + 6).toFixed(1)}" y="${y + 15}" class="time">${escape(times)}</text></g>`;
  });
  return `<svg width="${WIDTH}" height="${rows.length * ROW}" role="img" aria-label="${escape(l10n.t('Critical chain to SSH'))}">${body.join('')}</svg>`;
}

function slowestChart(slowest: BootAnalysis['slowest']): string {
  if (!slowest.length) return `<p class="muted">${escape(l10n.t('No unit timings.'))}</p>`;
  const max = Math.max(...slowest.map((s) => s.took), 0.001);
  const body = slowest.map((s, i) => {
    const y = i * ROW;
    const w = Math.max(2, (s.took / max) * (WIDTH - LABEL - TIME_ROOM));
    return `<g><title>${escape(`${s.unit}: ${seconds(s.took)}`)}</title>${unitLabel(s.unit, y)}` +
      `<rect class="took" x="${LABEL}" y="${y + 4}" width="${w.toFixed(1)}" height="14"></rect>` +
      `<text x="${(LABEL + w + 6).toFixed(1)}" y="${y + 15}" class="time">${escape(seconds(s.took))}</text></g>`;
  });
  return `<svg width="${WIDTH}" height="${slowest.length * ROW}" role="img" aria-label="${escape(l10n.t('The slowest units on that chain'))}">${body.join('')}</svg>`;
}

/** The image's kargs.d files and what each added to this boot (none: the section says so). */
function imageKargsSection(files: readonly ImageKargsFile[] | undefined): string {
  const h = (s: string) => escape(s);
  if (!files?.length) return `<p class="muted">${h(l10n.t('The image declares no kernel arguments (/usr/lib/bootc/kargs.d), or the VM was started with --no-image-kargs.'))}</p>`;
  const rows = files.map((f) => `<li><code>${h(f.file)}</code>: ${f.kargs.map((k) => `<code>${h(k)}</code>`).join(' ') || h(l10n.t('(none)'))}${f.applied ? '' : ` <span class="muted">${h(l10n.t('not applied: its match-architectures leave this architecture out'))}</span>`}</li>`);
  return `<ul>${rows.join('')}</ul>`;
}

export function bootTimelineHtml(vmName: string, a: BootAnalysis, nonce: string, cspSource: string, imageKargs?: readonly ImageKargsFile[]): string {
  const h = (s: string) => escape(s);
  const style = `  h2 { font-size: 1.05em; font-weight: 600; margin-top: 22px; }
  .muted, .hint { color: var(--vscode-descriptionForeground); }
  svg text { fill: var(--vscode-foreground); font-size: 12px; font-family: var(--vscode-editor-font-family); }
  svg text.on-bar { fill: var(--vscode-editor-background); font-weight: 600; }
  svg text.time { fill: var(--vscode-descriptionForeground); }
  .kernel, .kernel-key { fill: var(--vscode-charts-blue); background: var(--vscode-charts-blue); }
  .initrd, .initrd-key { fill: var(--vscode-charts-purple); background: var(--vscode-charts-purple); }
  .userspace, .userspace-key { fill: var(--vscode-charts-green); background: var(--vscode-charts-green); }
  .ssh, .ssh-key { fill: var(--vscode-charts-red); background: var(--vscode-charts-red); }
  .took { fill: var(--vscode-charts-orange); } .reached { fill: var(--vscode-charts-yellow); }
  .key { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }`;
  return `${pageHead({ nonce, cspSource, csp: `img-src ${cspSource}`, style })}
<body>
<h1>${h(l10n.t('Boot timeline: {0}', vmName))}</h1>
${a.notFinished ? `<p class="muted">${h(l10n.t('The guest has not finished starting up yet: the figures below are what it knows so far. Show the timeline again once the VM is ready.'))}</p>` : ''}
<h2>${h(l10n.t('Where the boot went'))}</h2>
${phasesChart(a.phases, sshPossibleAt(a))}
<h2>${h(l10n.t('What SSH waited for (critical chain)'))}</h2>
<p class="hint">${h(l10n.t('Each unit below had to be up before the next: shortening this chain is what brings SSH sooner. Times count from the start of userspace.'))}</p>
${chainChart(a.criticalChain)}
<h2>${h(l10n.t('The slowest units on that chain'))}</h2>
${slowestChart(a.slowest)}
<p class="hint">${h(l10n.t('From the guest\'s systemd-analyze (time, and critical-chain of the unit that made SSH possible: bootc-ephemeral-ssh-address@ with early SSH, else sshd.service). Units off the chain run alongside it: they cost CPU time but do not delay SSH by themselves.'))}</p>
<h2>${h(l10n.t('Kernel arguments from the image'))}</h2>
${imageKargsSection(imageKargs)}
</body></html>`;
}
