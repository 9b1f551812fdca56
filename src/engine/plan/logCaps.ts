import type { RunOptions } from '../options/runOptions';
import { DEFAULT_LOG_CAP_BYTES } from '../options/types';
import { droppedFile, logCapLayout, type LogCapLayout } from '../guest/logLayout';
import { CONTAINER_PATHS } from './containerPaths';
import { procFile, type PlanFile } from './procFile';
import { LOG_CAP_SCRIPT } from './supervisorScript';

/**
 * Every file a guest can write on the host goes through a FIFO and resources/log-cap.sh, which keeps it
 * within the VM's --max-log-size: QEMU writes the FIFO, never the file. This says, per output, where
 * the FIFO is, which file it fills and how (guest/logLayout.ts).
 */
export interface CappedOutput {
  /** QEMU's chardev id, and the FIFO's name */
  id: string;
  /** how the supervisor names it when it fails */
  what: string;
  fifo: string;
  file: string;
  layout: LogCapLayout;
  /** where the segments after the head go (FILE.N for the logs; the logs dir for a user's file, which keeps only its head) */
  segmentPrefix: string;
  dropped: string;
}

const fifoPath = (id: string) => `/run/bootc-ephemeral-${id}.fifo`;

/** The outputs of a VM with these options, in the order their writers start. */
export function cappedOutputs(o: RunOptions): CappedOutput[] {
  const cap = o.logCapBytes ?? DEFAULT_LOG_CAP_BYTES;
  const log = (id: string, what: string, file: string): CappedOutput => ({ id, what, fifo: fifoPath(id), file, layout: logCapLayout(cap), segmentPrefix: file, dropped: droppedFile(file) });
  // a file the user named gets the first `cap` bytes; the rest is read and dropped (counted in the logs dir)
  const headOnly = (id: string, what: string, file: string, bytes: number): CappedOutput => {
    const prefix = `${CONTAINER_PATHS.logsDir}/${id}.overflow`;
    return { id, what, fifo: fifoPath(id), file, layout: { headBytes: bytes, segmentBytes: 1024 * 1024, lag: 0 }, segmentPrefix: prefix, dropped: `${CONTAINER_PATHS.logsDir}/${id}.dropped` };
  };
  return [
    log('journal', 'the guest journal\'s writer', CONTAINER_PATHS.journalLog),
    log('console', 'the console log\'s writer', CONTAINER_PATHS.consoleLog),
    // two lines of `systemctl show`: a guest that writes more only fills its own small file
    ...(o.execute.length ? [headOnly('execute-status', 'the --execute status writer', CONTAINER_PATHS.executeStatus, 64 * 1024)] : []),
    ...o.virtioSerialOut.map((v) => headOnly(`vso-${v.name}`, `the --virtio-serial-out ${v.name} writer`, `${CONTAINER_PATHS.virtioSerialOut}/${v.name}`, cap)),
  ];
}

/** The FIFO QEMU writes for this output id. */
export function outputFifo(outputs: readonly CappedOutput[], id: string): string {
  const o = outputs.find((x) => x.id === id);
  if (!o) throw new Error(`no capped output ${id}`);
  return o.fifo;
}

/** log-cap.sh's arguments after its own path (CONF first). */
function logCapArgs(confPath: string, o: CappedOutput): string[] {
  return [confPath, o.fifo, o.file, String(o.layout.headBytes), String(o.layout.segmentBytes), o.segmentPrefix, String(o.layout.lag), o.dropped];
}

/**
 * The plan's files for the outputs: the script, a once-proc that makes the FIFOs, and one writer each
 * (started before QEMU opens its end; `drain`: the supervisor lets it read QEMU's last bytes).
 */
export function logCapPlanFiles(planDir: string, outputs: readonly CappedOutput[], argv: { mkfifo: string[]; shell: string[] }): PlanFile[] {
  const inPlan = (f: string) => `${CONTAINER_PATHS.planDir}/${f}`;
  return [
    { path: `${planDir}/log-cap.sh`, content: LOG_CAP_SCRIPT, mode: 0o644 },
    { path: `${planDir}/003-fifos.proc`, content: procFile({ once: true, argv: [...argv.mkfifo, '-m', '0600', '--', ...outputs.map((o) => o.fifo)] }), mode: 0o644 },
    ...outputs.map((o, i) => ({
      path: `${planDir}/004-log-cap-${String(i).padStart(3, '0')}-${o.id}.proc`,
      content: procFile({ what: o.what, drain: true, env: ['_STDBUF_O=0'], argv: [...argv.shell, inPlan('log-cap.sh'), ...logCapArgs(inPlan('supervisor.conf'), o)] }),
      mode: 0o644,
    })),
  ];
}
