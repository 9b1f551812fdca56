/**
 * Guest output (serial console, journal) is untrusted: printed raw, it could set the host terminal's
 * clipboard (OSC 52), title, or make the terminal answer with text typed into the user's shell (DSR,
 * window reports). This filter keeps text, tabs, line breaks and the harmless CSI sequences boot logs
 * use (colours, erase line, cursor moves) and drops every other control sequence. Streaming: a
 * sequence split across chunks is handled.
 */
const ESC = 0x1b;
const BEL = 0x07;
/** CSI finals kept: SGR colours, erase in line/display, cursor movement */
const KEPT_CSI_FINALS = new Set('mKJABCDGHf'.split('').map((c) => c.charCodeAt(0)));
/** OSC, DCS, SOS, PM, APC: strings ended by BEL or ST (ESC \) */
const STRING_INTRODUCERS = new Set([']', 'P', 'X', '^', '_'].map((c) => c.charCodeAt(0)));
const MAX_SEQUENCE = 4096;

type State = 'text' | 'esc' | 'csi' | 'string' | 'stringEsc' | 'c1';

export class TerminalFilter {
  private state: State = 'text';
  private pending: number[] = [];
  /** continuation bytes still due to the UTF-8 character being passed on */
  private continuation = 0;

  push(chunk: Buffer): Buffer {
    const out: number[] = [];
    for (const b of chunk) this.step(b, out);
    return Buffer.from(out);
  }

  private step(b: number, out: number[]): void {
    switch (this.state) {
      case 'text':
        if (this.continuation > 0) {
          this.continuation--;
          if (b >= 0x80 && b <= 0xbf) return void out.push(b); // inside a UTF-8 character
          this.continuation = 0; // a broken character: this byte stands on its own
        }
        if (b === ESC) {
          this.state = 'esc';
          this.pending = [b];
        } else if (b === 0xc2) {
          this.state = 'c1'; // maybe a C1 control (U+0080..U+009F) in UTF-8
        } else if (b >= 0x80 && b <= 0x9f) {
          // raw 8-bit C1 controls (CSI 0x9B, OSC 0x9D, DCS 0x90, ST 0x9C, ...), outside any UTF-8
          // character: terminals that honour them would run the sequence, so they are dropped
        } else if (b >= 0xc3 && b <= 0xf4) {
          this.continuation = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : 1;
          out.push(b);
        } else if (b >= 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x08) {
          out.push(b);
        } // other C0 controls (BEL, SO/SI, ...) are dropped
        return;
      case 'c1':
        this.state = 'text';
        if (b >= 0x80 && b <= 0x9f) return; // 8-bit CSI/OSC and friends: dropped
        out.push(0xc2);
        if (b >= 0xa0 && b <= 0xbf) return void out.push(b); // U+00A0..U+00BF
        this.step(b, out);
        return;
      case 'esc':
        if (b === 0x5b /* [ */) {
          this.state = 'csi';
          this.pending.push(b);
        } else if (STRING_INTRODUCERS.has(b)) {
          this.state = 'string';
        } else {
          this.state = 'text'; // two-byte escapes (reset, charset, keypad modes): dropped
        }
        return;
      case 'csi':
        this.pending.push(b);
        if (b >= 0x40 && b <= 0x7e) {
          const params = this.pending.slice(2, -1);
          if (KEPT_CSI_FINALS.has(b) && params.every((p) => (p >= 0x30 && p <= 0x39) || p === 0x3b)) out.push(...this.pending);
          this.state = 'text';
          this.pending = [];
        } else if (b < 0x20 || b > 0x7e || this.pending.length > MAX_SEQUENCE) {
          this.state = 'text'; // not a well-formed CSI: dropped
          this.pending = [];
        }
        return;
      case 'string':
        if (b === BEL) this.state = 'text';
        else if (b === ESC) this.state = 'stringEsc';
        return;
      case 'stringEsc':
        this.state = b === 0x5c /* \ */ ? 'text' : 'string';
        return;
    }
  }
}

/** Filters a whole buffer at once. */
export function filterTerminalOutput(data: Buffer | string): Buffer {
  return new TerminalFilter().push(Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8'));
}
