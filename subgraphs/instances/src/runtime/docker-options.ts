import type { InstanceSpec } from './port';

/** Labels on every container and volume this service makes: who and what it belongs to. */
export const LABELS = {
  managedBy: 'market.managed-by',
  instanceId: 'market.instance-id',
  ownerId: 'market.owner-id',
  machineId: 'market.machine-id',
} as const;
export const MANAGED_BY = 'market-instances';

export function containerName(instanceId: string): string {
  return `market-instance-${instanceId.toLowerCase()}`;
}

export function volumeName(instanceId: string): string {
  return `market-instance-${instanceId.toLowerCase()}-data`;
}

/** The tag of the image built from a machine version's build context. */
export function builtImageTag(machineId: string, version: number): string {
  return `market-build/${machineId.toLowerCase()}:v${version}`;
}

export type DockerNetwork = 'host' | 'bridge';

export function instanceLabels(spec: InstanceSpec): Record<string, string> {
  return {
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.instanceId]: spec.instanceId,
    [LABELS.ownerId]: spec.ownerId,
    [LABELS.machineId]: spec.machine.id,
  };
}

/** The body of Docker's `POST /containers/create` (dockerode's `createContainer` options) for one instance. */
export interface ContainerCreateOptions {
  name: string;
  Image: string;
  Cmd?: string[];
  Env: string[];
  Labels: Record<string, string>;
  ExposedPorts?: Record<string, Record<string, never>>;
  Tty: false;
  OpenStdin: false;
  HostConfig: {
    NetworkMode?: 'host';
    PortBindings?: Record<string, { HostIp: string; HostPort: string }[]>;
    Mounts: { Type: 'volume'; Source: string; Target: string }[];
    NanoCpus?: number;
    Memory?: number;
    MemorySwap?: number;
    PidsLimit: number;
    Init: true;
    RestartPolicy: { Name: 'no' };
    SecurityOpt: string[];
    LogConfig: { Type: 'json-file'; Config: Record<string, string> };
  };
}

/** Processes one container may run: enough for any service, not enough for a fork bomb. */
const PIDS_LIMIT = 1024;

/**
 * What Docker is asked to create for an instance: the machine's image and command, its environment
 * with PORT set to the port the workload listens on inside, that port published on the allocated
 * host port, its named volume, and its limits. The reconciler, not Docker, decides about restarts.
 */
export function containerCreateOptions(
  spec: InstanceSpec,
  options: { bindAddress: string; network?: DockerNetwork; image?: string },
): ContainerCreateOptions {
  const { machine } = spec;
  const image = options.image ?? machine.image;
  if (!image) throw new Error(`machine ${machine.id} has no image`);
  const host = (options.network ?? 'bridge') === 'host';
  // On the host's network the workload binds the allocated port itself; on a bridge its own port is published.
  const containerPort = host ? spec.port : (machine.exposedPort ?? spec.port);
  const portKey = `${containerPort}/tcp`;
  const memory = machine.memoryLimitMb === null ? undefined : machine.memoryLimitMb * 1024 * 1024;
  return {
    name: containerName(spec.instanceId),
    Image: image,
    ...(machine.command.length > 0 ? { Cmd: [...machine.command] } : {}),
    Env: [...machine.environment.filter((v) => v.name !== 'PORT').map((v) => `${v.name}=${v.value}`), `PORT=${containerPort}`],
    Labels: instanceLabels(spec),
    ...(host ? {} : { ExposedPorts: { [portKey]: {} } }),
    Tty: false,
    OpenStdin: false,
    HostConfig: {
      ...(host
        ? { NetworkMode: 'host' as const }
        : { PortBindings: { [portKey]: [{ HostIp: options.bindAddress, HostPort: String(spec.port) }] } }),
      Mounts: machine.volumeMountPath ? [{ Type: 'volume', Source: volumeName(spec.instanceId), Target: machine.volumeMountPath }] : [],
      ...(machine.cpuLimit === null ? {} : { NanoCpus: Math.round(machine.cpuLimit * 1e9) }),
      // Memory and swap together at the limit: no swap beyond it.
      ...(memory === undefined ? {} : { Memory: memory, MemorySwap: memory }),
      PidsLimit: PIDS_LIMIT,
      Init: true,
      RestartPolicy: { Name: 'no' },
      SecurityOpt: ['no-new-privileges:true'],
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '2' } },
    },
  };
}

/** How to reach the Docker engine, from DOCKER_HOST (unix:///path or tcp://host:port); the local socket when unset. */
export function dockerConnectionOptions(
  dockerHost: string | undefined,
): { socketPath: string } | { host: string; port: number; protocol: 'http' | 'https' } {
  if (!dockerHost) return { socketPath: '/var/run/docker.sock' };
  const url = new URL(dockerHost);
  if (url.protocol === 'unix:') return { socketPath: url.pathname };
  if (url.protocol === 'tcp:' || url.protocol === 'http:' || url.protocol === 'https:') {
    const tls = url.protocol === 'https:' || url.port === '2376';
    return { host: url.hostname, port: Number(url.port || (tls ? 2376 : 2375)), protocol: tls ? 'https' : 'http' };
  }
  throw new Error(`DOCKER_HOST ${dockerHost} is not unix://, tcp://, http:// or https://`);
}
