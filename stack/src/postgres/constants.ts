/** Fixed settings of the embedded PostgreSQL, shared by the files of this folder. */

export const HOST = '127.0.0.1';
export const SUPERUSER = 'postgres';
export const FIRST_PORT = 54329;
export const PORT_SPAN = 200;
export const STOP_TIMEOUT_MS = 10_000;
/** Where clusters and binary copies go when the server user cannot reach the requested place. */
export const RUNTIME_BASE = '/var/tmp';
/** Throw-away clusters are directories with this prefix, so a later launcher can sweep them. */
export const TEMP_PREFIX = 'market-pg-test-';
/** The owner record of a persistent cluster, inside its data directory. */
export const OWNER_FILE = 'embedded-launcher.json';
/** The owner record of a throw-away cluster, beside its `data` directory. */
export const TEMP_OWNER_FILE = 'launcher.json';
export const TEMP_KIND = 'embedded-postgres-temp';
