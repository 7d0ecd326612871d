/** The embedded PostgreSQL's public shapes, and the OS user a root launcher runs the server as. */

export type EmbeddedPostgresLog = (msg: string, extra?: Record<string, unknown>) => void;

export interface EmbeddedPostgresOptions {
  /**
   * persistent (default): the cluster directory, created and initialised when missing, reused otherwise.
   * persistent=false: a throw-away directory (empty or missing; default: a new one under os.tmpdir()),
   * removed on stop.
   */
  dataDir?: string;
  /** 0 or undefined: the first free port from 54329 upwards. */
  port?: number;
  /** Databases to create when missing. */
  databases?: string[];
  /** Receives the server's WARNING/ERROR/FATAL/PANIC messages and lifecycle notes. Default: silent. */
  log?: EmbeddedPostgresLog;
  /** false: fsync off, the cluster directory is removed on stop (and by the watchdog). Default true. */
  persistent?: boolean;
  /** Password of the `postgres` superuser, set when the cluster is initialised. Default 'postgres'. */
  password?: string;
  /** Extra `-c name=value` server settings; they win over the defaults. */
  settings?: Record<string, string | number | boolean>;
  /** Forward every server log line, LOG level included. */
  verbose?: boolean;
  /** When running as root: the OS user to run the server as (created when missing). Default 'postgres'. */
  osUser?: string;
  /** Milliseconds to wait for the server to become ready. Default 60000. */
  startTimeoutMs?: number;
}

export interface EmbeddedPostgres {
  host: string;
  port: number;
  user: string;
  password: string;
  /** URL of the `postgres` maintenance database, as the superuser. */
  adminUrl: string;
  urlFor(db: string): string;
  /** The cluster directory actually used (after any relocation). */
  dataDir: string;
  /** PID of the postmaster. */
  pid: number;
  /** true when a server started by another live launcher on the same data directory was reused. */
  attached: boolean;
  /** Stops the server (fast shutdown) unless attached; removes the cluster when not persistent. */
  stop(): Promise<void>;
}

/** The unprivileged OS user that runs the server when the launcher is root (PostgreSQL refuses root). */
export interface RunAs {
  uid: number;
  gid: number;
  name: string;
}
