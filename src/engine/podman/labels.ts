/** Labels every VM container carries; listing and finding VMs again relies on them. */
export const LABELS = {
  vm: 'io.bootc-ephemeral',
  /** the bootc image (the container itself runs the engine's root image) */
  image: 'io.bootc-ephemeral.image',
  /** a random id per launch: a failed start removes only the container this launch created */
  launch: 'io.bootc-ephemeral.launch',
  options: 'io.bootc-ephemeral.options',
  /** the image's kargs.d files as the launch applied them (JSON; read back as untrusted) */
  imageKargs: 'io.bootc-ephemeral.image-kargs',
  accel: 'io.bootc-ephemeral.accel',
  /** the guest architecture (amd64, arm64) */
  arch: 'io.bootc-ephemeral.arch',
  ssh: 'io.bootc-ephemeral.ssh',
  sshHostPort: 'io.bootc-ephemeral.ssh-host-port',
  bcvk: 'bcvk.ephemeral',
} as const;
