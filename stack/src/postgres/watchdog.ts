/**
 * A detached watchdog that stops the server when its launcher is gone, however it died.
 */
import { spawn } from 'node:child_process';
import { STOP_TIMEOUT_MS } from './constants';
import type { EmbeddedPostgresLog } from './types';

export interface Watchdog {
  pid: number | undefined;
  /** The launcher is done with the server (stop()): the watchdog finishes the stop and removes a throw-away cluster. */
  release(): void;
  /** A failed start: end the watchdog without letting it remove the cluster the launcher retries with. */
  kill(): void;
  /** Let the launcher exit while the watchdog keeps watching. */
  unref(): void;
}

/** Starts the watchdog of a postmaster; `removeOnStop` are the directories it removes once the server is down. */
export function startWatchdog(postmasterPid: number, removeOnStop: string[], log: EmbeddedPostgresLog): Watchdog {
  const watchdog = spawn(
    '/bin/sh',
    ['-c', WATCHDOG_SCRIPT, 'embedded-postgres-watchdog', String(postmasterPid), String(STOP_TIMEOUT_MS / 1000), ...removeOnStop],
    {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    },
  );
  watchdog.on('error', (err) => log('embedded-postgres: watchdog failed to start', { error: err.message }));
  watchdog.stdin?.on('error', () => undefined);
  return {
    pid: watchdog.pid,
    release: () => {
      watchdog.stdin?.end();
    },
    kill: () => {
      watchdog.kill('SIGKILL');
    },
    unref: () => {
      watchdog.unref();
      (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    },
  };
}

/**
 * The watchdog: `sh -c WATCHDOG_SCRIPT embedded-postgres-watchdog <postmaster pid> <stop timeout s> [dir to remove...]`,
 * detached (own session, so a terminal's Ctrl-C or hang-up does not reach it), stdin a pipe from
 * the launcher. It blocks reading that pipe, which ends the moment the launcher exits for any
 * reason, SIGKILL included, or calls stop(). It then stops the postmaster: SIGINT (fast
 * shutdown), SIGQUIT after the timeout, SIGKILL to its process group 5 s later; then removes a
 * throw-away cluster. A dash process: about 1 MB of memory.
 */
const WATCHDOG_SCRIPT = `
pm=$1; timeout=$2; shift 2
alive() {
  kill -0 "$pm" 2>/dev/null || return 1
  [ -d /proc/self ] || return 0
  case "$(readlink "/proc/$pm/exe" 2>/dev/null)" in *postgres*) ;; *) return 1;; esac
  case "$(sed 's/^.*) //' "/proc/$pm/stat" 2>/dev/null | cut -c1)" in Z|X|'') return 1;; esac
  return 0
}
wait_gone() { i=0; while alive && [ "$i" -lt "$1" ]; do sleep 0.05; i=$((i+1)); done; }
finish() { # the directories to remove are its arguments
  trap '' INT TERM HUP
  if alive; then
    kill -INT "$pm" 2>/dev/null; wait_gone $((timeout*20))
    if alive; then kill -QUIT "$pm" 2>/dev/null; wait_gone 100; fi
    if alive; then kill -KILL -- "-$pm" 2>/dev/null; kill -KILL "$pm" 2>/dev/null; wait_gone 100; fi
  fi
  for d in "$@"; do rm -rf -- "$d"; done
  exit 0
}
trap 'finish "$@"' INT TERM HUP
while IFS= read -r _; do :; done
finish "$@"
`;
