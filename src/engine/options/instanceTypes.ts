/** KubeVirt's U series instance types, as `bcvk --itype` knows them. */
export interface InstanceType {
  vcpus: number;
  memoryMiB: number;
}

export const INSTANCE_TYPES: Readonly<Record<string, InstanceType>> = Object.freeze({
  'u1.nano': { vcpus: 1, memoryMiB: 512 },
  'u1.micro': { vcpus: 1, memoryMiB: 1024 },
  'u1.small': { vcpus: 1, memoryMiB: 2048 },
  'u1.medium': { vcpus: 1, memoryMiB: 4096 },
  'u1.2xmedium': { vcpus: 2, memoryMiB: 4096 },
  'u1.large': { vcpus: 2, memoryMiB: 8192 },
  'u1.xlarge': { vcpus: 4, memoryMiB: 16384 },
  'u1.2xlarge': { vcpus: 8, memoryMiB: 32768 },
  'u1.4xlarge': { vcpus: 16, memoryMiB: 65536 },
  'u1.8xlarge': { vcpus: 32, memoryMiB: 131072 },
});

export function instanceTypeNames(): string[] {
  return Object.keys(INSTANCE_TYPES);
}
