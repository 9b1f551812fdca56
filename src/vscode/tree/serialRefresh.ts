/**
 * One run at a time, and a call always sees what happened before it: a call while a run is under way
 * gets the next run, which starts when that one ends (callers during it share that next run). Without
 * this, two overlapping listings could end out of order and an older one (a VM still booting) would
 * replace the newer one (the same VM ready).
 */
export function serialRefresh<T>(run: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  let next: Promise<T> | undefined;
  const start = (): Promise<T> => {
    const current = run().finally(() => {
      if (running === current) running = undefined;
    });
    running = current;
    return current;
  };
  return () => {
    if (!running) return start();
    next ??= running
      .catch(() => undefined)
      .then(() => {
        next = undefined;
        return start();
      });
    return next;
  };
}
