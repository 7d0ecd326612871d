import { PassThrough, type Readable, type Writable } from 'node:stream';
import type { Logger } from '@market/platform';
import type { LogStream } from '../domain';
import { LineChannel, LineSplitter } from './lines';
import { containerCreateOptions, dockerConnectionOptions, instanceLabels, LABELS, volumeName, type ContainerCreateOptions } from './docker-options';
import { RuntimeError, type CapturedLine, type InstanceRuntime, type InstanceSpec, type Workload, type WorkloadExit, type WorkloadState } from './port';

/** The part of dockerode's API this driver uses (dockerode is loaded lazily; it is optional). */
export interface DockerClient {
  createContainer(options: ContainerCreateOptions): Promise<{ id: string }>;
  getContainer(id: string): DockerContainer;
  createVolume(options: { Name: string; Labels: Record<string, string> }): Promise<unknown>;
  getVolume(name: string): { remove(): Promise<unknown> };
  pull(image: string): Promise<NodeJS.ReadableStream>;
  df(): Promise<{ Volumes?: { Name: string; UsageData?: { Size: number } | null }[] | null }>;
  modem: {
    demuxStream(stream: NodeJS.ReadableStream, stdout: Writable, stderr: Writable): void;
    followProgress(stream: NodeJS.ReadableStream, onFinished: (err: Error | null) => void): void;
  };
}

export interface DockerContainer {
  id: string;
  start(): Promise<unknown>;
  stop(options: { t: number }): Promise<unknown>;
  remove(options: { force: boolean }): Promise<unknown>;
  inspect(): Promise<{ Id: string; Config?: { Labels?: Record<string, string> | null }; State: { Running: boolean; ExitCode: number } }>;
  wait(): Promise<{ StatusCode: number }>;
  logs(options: { follow: true; stdout: true; stderr: true; since: number }): Promise<NodeJS.ReadableStream>;
}

const HIGH_WATER_LINES = 1000;

/** Loads dockerode when the Docker runtime is first used, so the service runs without it otherwise. */
export async function connectDocker(dockerHost: string | undefined): Promise<DockerClient> {
  const moduleName = 'dockerode';
  let Docker: new (options: object) => DockerClient;
  try {
    const loaded = (await import(moduleName)) as { default?: unknown };
    Docker = (loaded.default ?? loaded) as new (options: object) => DockerClient;
  } catch {
    throw new RuntimeError('The Docker runtime is not installed on this server (the dockerode package is missing).');
  }
  return new Docker(dockerConnectionOptions(dockerHost));
}

function statusCode(err: unknown): number | undefined {
  return (err as { statusCode?: number } | null)?.statusCode;
}

/** Docker answers 304 to "start a started container" and "stop a stopped one", 404 when there is none. */
async function tolerating<T>(codes: number[], work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (err) {
    if (codes.includes(statusCode(err) ?? -1)) return undefined;
    throw err;
  }
}

/**
 * Runs machines with an image as Docker containers: one container per instance, labelled with the
 * instance id (and never touched unless its label says so), the allocated port published, a named
 * volume, CPU and memory limits. Containers outlive this service: after a restart it re-attaches.
 */
export class DockerRuntime implements InstanceRuntime {
  readonly driver = 'DOCKER' as const;
  private client: Promise<DockerClient> | null = null;

  constructor(
    private readonly options: {
      connect: () => Promise<DockerClient>;
      /** The host address published ports bind to. */
      bindAddress: string;
      logger: Logger;
    },
  ) {}

  private docker(): Promise<DockerClient> {
    this.client ??= this.options.connect().catch((err: unknown) => {
      this.client = null;
      throw err;
    });
    return this.client;
  }

  async create(spec: InstanceSpec, existingRef: string | null): Promise<string | null> {
    if (!spec.machine.image) throw new RuntimeError(`Machine "${spec.machine.name}" has no image to run in Docker.`);
    const docker = await this.docker();
    if (existingRef && (await this.owned(docker, spec, existingRef))) return existingRef;
    if (spec.machine.volumeMountPath) {
      await docker.createVolume({ Name: volumeName(spec.instanceId), Labels: instanceLabels(spec) });
    }
    const options = containerCreateOptions(spec, { bindAddress: this.options.bindAddress });
    try {
      return (await this.createContainer(docker, options)).id;
    } catch (err) {
      // Created before a crash, under the same name: that container is this instance's.
      if (statusCode(err) === 409 && (await this.owned(docker, spec, options.name))) {
        return (await docker.getContainer(options.name).inspect()).Id;
      }
      throw new RuntimeError(`Docker could not create the container: ${(err as Error).message}`);
    }
  }

  private async createContainer(docker: DockerClient, options: ContainerCreateOptions): Promise<{ id: string }> {
    try {
      return await docker.createContainer(options);
    } catch (err) {
      if (statusCode(err) !== 404) throw err;
      // The image is not on this engine yet.
      const progress = await docker.pull(options.Image);
      await new Promise<void>((resolve, reject) => docker.modem.followProgress(progress, (e) => (e ? reject(e) : resolve())));
      return docker.createContainer(options);
    }
  }

  async start(spec: InstanceSpec, ref: string | null): Promise<Workload> {
    if (!ref) throw new RuntimeError('The container was not created.');
    const docker = await this.docker();
    const container = docker.getContainer(ref);
    const since = Math.floor(Date.now() / 1000);
    try {
      await tolerating([304], () => container.start());
    } catch (err) {
      throw new RuntimeError(`Docker could not start the container: ${(err as Error).message}`);
    }
    return this.watch(docker, container, since);
  }

  async attach(spec: InstanceSpec, ref: string): Promise<Workload | null> {
    const docker = await this.docker();
    if (!(await this.owned(docker, spec, ref))) return null;
    const container = docker.getContainer(ref);
    const state = await container.inspect();
    return state.State.Running ? this.watch(docker, container, Math.floor(Date.now() / 1000)) : null;
  }

  async stop(spec: InstanceSpec, ref: string, graceMs: number): Promise<void> {
    const docker = await this.docker();
    if (!(await this.owned(docker, spec, ref))) return;
    await tolerating([304, 404], () => docker.getContainer(ref).stop({ t: Math.max(1, Math.ceil(graceMs / 1000)) }));
  }

  async remove(spec: InstanceSpec, ref: string | null, options: { deleteVolume: boolean }): Promise<void> {
    const docker = await this.docker();
    if (ref && (await this.owned(docker, spec, ref))) {
      await tolerating([404], () => docker.getContainer(ref).remove({ force: true }));
    }
    if (options.deleteVolume && spec.machine.volumeMountPath) {
      await tolerating([404], () => docker.getVolume(volumeName(spec.instanceId)).remove());
    }
  }

  async inspect(spec: InstanceSpec, ref: string): Promise<WorkloadState> {
    const docker = await this.docker();
    const found = await tolerating([404], () => docker.getContainer(ref).inspect());
    if (!found || found.Config?.Labels?.[LABELS.instanceId] !== spec.instanceId) return { state: 'missing' };
    return found.State.Running ? { state: 'running' } : { state: 'exited', exitCode: found.State.ExitCode };
  }

  async volumeSizeBytes(spec: InstanceSpec): Promise<number | null> {
    if (!spec.machine.volumeMountPath) return null;
    const docker = await this.docker();
    const usage = await docker.df();
    const size = usage.Volumes?.find((v) => v.Name === volumeName(spec.instanceId))?.UsageData?.Size;
    return size === undefined || size < 0 ? null : size;
  }

  /** Whether the container under `ref` carries this instance's label: another instance's is never touched. */
  private async owned(docker: DockerClient, spec: InstanceSpec, ref: string): Promise<boolean> {
    const found = await tolerating([404], () => docker.getContainer(ref).inspect());
    return found?.Config?.Labels?.[LABELS.instanceId] === spec.instanceId;
  }

  private async watch(docker: DockerClient, container: DockerContainer, since: number): Promise<Workload> {
    const raw = await container.logs({ follow: true, stdout: true, stderr: true, since });
    const readable = raw as Readable;
    const channel = new LineChannel<CapturedLine>({
      highWater: HIGH_WATER_LINES,
      pause: () => readable.pause(),
      resume: () => readable.resume(),
    });
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    docker.modem.demuxStream(raw, stdout, stderr);
    feed(stdout, 'STDOUT', channel);
    feed(stderr, 'STDERR', channel);
    readable.once('close', () => {
      stdout.end();
      stderr.end();
    });
    readable.once('end', () => {
      stdout.end();
      stderr.end();
    });
    readable.on('error', () => undefined);
    let open = 2;
    const closed = () => {
      if (--open === 0) channel.end();
    };
    stdout.once('end', closed);
    stderr.once('end', closed);

    const exited = this.waitForExit(container);
    return {
      ref: container.id,
      logs: channel,
      exited,
      detach: () => {
        channel.end();
        readable.removeAllListeners('data');
        (readable as Readable & { destroy?: () => void }).destroy?.();
      },
    };
  }

  /** Resolves with the exit code once the container has stopped; falls back to polling if the wait connection drops. */
  private async waitForExit(container: DockerContainer): Promise<WorkloadExit> {
    try {
      const { StatusCode } = await container.wait();
      return { exitCode: StatusCode, signal: null };
    } catch (err) {
      this.options.logger.warn({ err, container: container.id }, 'lost the wait on a container; polling it');
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 2_000).unref());
        const state = await tolerating([404], () => container.inspect()).catch(() => 'unknown' as const);
        if (state === undefined) return { exitCode: null, signal: null };
        if (state !== 'unknown' && !state.State.Running) return { exitCode: state.State.ExitCode, signal: null };
      }
    }
  }
}

function feed(stream: PassThrough, name: LogStream, channel: LineChannel<CapturedLine>): void {
  const splitter = new LineSplitter();
  const emit = (lines: string[]) => {
    const at = new Date();
    for (const line of lines) channel.push({ stream: name, line, at });
  };
  stream.on('data', (chunk: Buffer) => emit(splitter.push(chunk)));
  stream.once('end', () => emit(splitter.end()));
}
