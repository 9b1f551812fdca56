/**
 * The heavy dependencies, required on first use rather than at load: the extension's module load and
 * quick CLI commands (`ps`, `rm`, `help`) do not parse them. The build puts each in its own file
 * (scripts/build.mjs), so these `require` calls stay lazy in the bundles too.
 */
export function ssh2(): typeof import('ssh2') {
  return require('ssh2') as typeof import('ssh2');
}

export function yaml(): typeof import('yaml') {
  return require('yaml') as typeof import('yaml');
}

export function execa(): typeof import('execa') {
  return require('execa') as typeof import('execa');
}

// Node built-ins that take milliseconds to load and serve only some paths (sockets, streams, the host
// probe): a fresh CLI process (`help`, `ps` of no VM) or a module load does not pay for them
export function nodeNet(): typeof import('node:net') {
  return require('node:net') as typeof import('node:net');
}

export function nodeStream(): typeof import('node:stream') {
  return require('node:stream') as typeof import('node:stream');
}

export function childProcess(): typeof import('node:child_process') {
  return require('node:child_process') as typeof import('node:child_process');
}
