import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import type { Logger } from '@market/platform';
import type { LogStream } from '../domain';
import { LineChannel, LineSplitter } from './lines';
import {
  builtImageTag,
  containerCreateOptions,
  dockerConnectionOptions,
  instanceLabels,
  LABELS,
  MANAGED_BY,
  volumeName,
  type ContainerCreateOptions,
  type DockerNetwork,
} from './docker-options';
import {
  memoryKillReason,
  RuntimeError,
  type CapturedLine,
  type InstanceRuntime,
  type InstanceSpec,
  type Workload,
  type WorkloadExit,
  type WorkloadState,
} from './port';

/** The part of dockerode's API this driver uses (dockerode is loaded lazily; it is optional). */
export interface DockerClient {
  createContainer(options: ContainerCreateOptions): Promise<{ id: string }>;
  getContainer(id: string): DockerContainer;
  createVolume(options: { Name: string; Labels: Record<string, string> }): Promise<unknown>;
  getVolume(name: string): { remove(): Promise<unknown> };
  getImage(name: string): { inspect(): Promise<{ Id: string }> };
  buildImage(
    context: { context: string; src: string[] },
    options: { t: string; labels?: Record<string, string>; rm?: boolean; forcerm?: boolean },
  ): Promise<NodeJS.ReadableStream>;
  df(): Promise<{ Volumes?: { Name: string; UsageData?: { Size: number } | null }[] | null }>;
  modem: {
    demuxStream(stream: NodeJS.ReadableStream, stdout: Writable, stderr: Writable): void;
    followProgress(
      stream: NodeJS.ReadableStream,
      onFinished: (err: Error | null, output: { error?: string; errorDetail?: { message?: string } }[]) => void,
    ): void;
  };
}

export interface DockerContainer {
  id: string;
  start(): Promise<unknown>;
  stop(options: { t: number }): Promise<unknown>;
  remove(options: { force: boolean }): Promise<unknown>;
  inspect(): Promise<{
    Id: string;
    Config?: { Labels?: Record<string, string> | null };
    State: { Running: boolean; ExitCode: number; OOMKilled?: boolean };
  }>;
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
      /** host: the container shares the host's network; bridge: its port is published. */
      network?: DockerNetwork;
      /** Build contexts are directories below this one. */
      buildRoot?: string;
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
    if (!spec.machine.image && !spec.machine.buildContext)
      throw new RuntimeError(`Machine "${spec.machine.name}" has no image to run in Docker.`);
    const docker = await this.docker();
    if (existingRef && (await this.owned(docker, spec, existingRef))) return existingRef;
    const image = await this.image(docker, spec);
    if (spec.machine.volumeMountPath) {
      await docker.createVolume({ Name: volumeName(spec.instanceId), Labels: instanceLabels(spec) });
    }
    const options = containerCreateOptions(spec, { bindAddress: this.options.bindAddress, network: this.options.network ?? 'host', image });
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

  private createContainer(docker: DockerClient, options: ContainerCreateOptions): Promise<{ id: string }> {
    return docker.createContainer(options);
  }

  /**
   * The image the instance runs, present on the engine: nothing is ever pulled (no registry needs to
   * be reachable, and nothing unreviewed runs). A machine with a build context has its image built
   * from that directory once per machine version; a machine with an image reference needs it there.
   */
  private async image(docker: DockerClient, spec: InstanceSpec): Promise<string> {
    const { machine } = spec;
    const present = async (name: string) => (await tolerating([404], () => docker.getImage(name).inspect())) !== undefined;
    if (machine.buildContext) {
      const tag = builtImageTag(machine.id, machine.version);
      if (!(await present(tag))) await this.build(docker, spec, tag);
      return tag;
    }
    const image = machine.image as string;
    if (!(await present(image))) {
      throw new RuntimeError(
        `The image "${image}" is not on this server's Docker engine, and images are never pulled: load or build it there first, or give the machine a build context.`,
      );
    }
    return image;
  }

  private async build(docker: DockerClient, spec: InstanceSpec, tag: string): Promise<void> {
    const root = path.resolve(this.options.buildRoot ?? process.cwd());
    const dir = path.resolve(root, spec.machine.buildContext as string);
    if (dir !== root && !dir.startsWith(root + path.sep)) throw new RuntimeError("The machine's build context is outside the build root.");
    let files: string[];
    try {
      files = await listFiles(dir);
    } catch {
      throw new RuntimeError(`The machine's build context ${spec.machine.buildContext} is not a directory on this server.`);
    }
    if (!files.includes('Dockerfile'))
      throw new RuntimeError(`The machine's build context ${spec.machine.buildContext} has no Dockerfile.`);
    const started = Date.now();
    try {
      const progress = await docker.buildImage(
        { context: dir, src: files },
        { t: tag, rm: true, forcerm: true, labels: { [LABELS.managedBy]: MANAGED_BY, [LABELS.machineId]: spec.machine.id } },
      );
      const output = await new Promise<{ error?: string; errorDetail?: { message?: string } }[]>((resolve, reject) =>
        docker.modem.followProgress(progress, (err, out) => (err ? reject(err) : resolve(out ?? []))),
      );
      const failed = output.find((o) => o.error);
      if (failed) throw new Error(failed.errorDetail?.message ?? failed.error);
    } catch (err) {
      throw new RuntimeError(`Docker could not build the image from ${spec.machine.buildContext}: ${(err as Error).message}`);
    }
    this.options.logger.info(
      { machineId: spec.machine.id, version: spec.machine.version, tag, ms: Date.now() - started },
      'built a machine image',
    );
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
    return this.watch(docker, container, since, spec);
  }

  async attach(spec: InstanceSpec, ref: string): Promise<Workload | null> {
    const docker = await this.docker();
    if (!(await this.owned(docker, spec, ref))) return null;
    const container = docker.getContainer(ref);
    const state = await container.inspect();
    return state.State.Running ? this.watch(docker, container, Math.floor(Date.now() / 1000), spec) : null;
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
    if (found.State.Running) return { state: 'running' };
    return {
      state: 'exited',
      exitCode: found.State.ExitCode,
      reason: found.State.OOMKilled ? memoryKillReason(spec.machine.memoryLimitMb) : null,
    };
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

  private async watch(docker: DockerClient, container: DockerContainer, since: number, spec: InstanceSpec): Promise<Workload> {
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

    const exited = this.waitForExit(container, spec);
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
  private async waitForExit(container: DockerContainer, spec: InstanceSpec): Promise<WorkloadExit> {
    try {
      const { StatusCode } = await container.wait();
      // The engine records whether its memory limit killed it; the exit code alone (137) cannot tell.
      const state = await tolerating([404], () => container.inspect()).catch(() => undefined);
      return { exitCode: StatusCode, signal: null, reason: state?.State.OOMKilled ? memoryKillReason(spec.machine.memoryLimitMb) : null };
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

/** The files below `dir` (relative, / separated), symlinks not followed: what a build context sends. */
async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else if (entry.isFile()) out.push(rel);
  }
  return out;
}
