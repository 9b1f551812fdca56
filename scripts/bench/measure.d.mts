// Types of measure.mjs (plain ESM, run by node directly from the scripts), for the TypeScript test suites.

/** Every descendant of `pid`, with it; `args` is its command line. */
export function processTree(pid: number | string): { pid: string; args: string }[];
