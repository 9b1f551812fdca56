/**
 * The boots this window has under way (notification, task, form). When the extension is deactivated
 * (window reload or close) they are cancelled, which removes their half-booted VMs, and deactivation
 * waits for that: a reload leaves no VM booting for nobody. VMs that finished booting are not touched.
 */
export class BootsInFlight {
  private readonly controller = new AbortController();
  private readonly running = new Set<Promise<unknown>>();

  /** Aborted when the extension shuts down. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get size(): number {
    return this.running.size;
  }

  track<T>(boot: Promise<T>): Promise<T> {
    this.running.add(boot);
    void boot.catch(() => undefined).finally(() => this.running.delete(boot));
    return boot;
  }

  /** Cancels every boot under way and waits (at most `timeoutMs`) until each has cleaned up. */
  async shutdown(timeoutMs: number): Promise<void> {
    this.controller.abort();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)));
    await Promise.race([Promise.allSettled([...this.running]), deadline]);
    clearTimeout(timer);
  }
}
