/** What the usual file-system failures mean, for one line instead of a stack trace. */
const CAUSES: Record<string, string> = {
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  EEXIST: 'it already exists',
  ENOTEMPTY: 'the directory is not empty',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'it is a directory',
  EMFILE: 'too many open files',
};

const VERBS: Record<string, string> = { mkdir: 'create', open: 'open', write: 'write', rmdir: 'remove', rm: 'remove', unlink: 'remove', rename: 'rename', copyfile: 'copy', symlink: 'link', chmod: 'change the mode of', scandir: 'list', stat: 'read', lstat: 'read', access: 'reach', read: 'read' };

/** "cannot create /var/lib/x: the file system is read-only (EROFS)", or undefined for other errors. */
export function fileSystemError(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException;
  if (!err || typeof err.code !== 'string' || !CAUSES[err.code] || typeof err.path !== 'string') return undefined;
  const verb = VERBS[err.syscall ?? ''] ?? 'use';
  return `cannot ${verb} ${err.path}: ${CAUSES[err.code]} (${err.code})`;
}
