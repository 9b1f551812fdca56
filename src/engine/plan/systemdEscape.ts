/** `systemd-escape --path`: the unit name of a mount or swap at an absolute path. */
export function escapeSystemdPath(path: string): string {
  const trimmed = path.replace(/^\/+|\/+$/g, '').replace(/\/+/g, '/');
  if (trimmed === '') return '-';
  return trimmed
    .split('/')
    .map((part) => escapeSystemdString(part))
    .join('-');
}

/** `systemd-escape`: keep [A-Za-z0-9:_.] (but not a leading '.'), hex-escape everything else. */
export function escapeSystemdString(text: string): string {
  let out = '';
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const c = String.fromCharCode(bytes[i]);
    const plain = /[A-Za-z0-9:_.]/.test(c) && !(i === 0 && c === '.');
    out += plain ? c : `\\x${bytes[i].toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** A device unit name, e.g. /dev/virtio-ports/org.x -> dev-virtio\x2dports-org.x.device */
export function deviceUnit(path: string): string {
  return `${escapeSystemdPath(path)}.device`;
}
