import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * Where export files go. `put` must replace an object of the same key atomically (a reader sees the
 * old file, the new one or none, never half of one): the exporter writes each batch under a key
 * fixed before the write, so putting it twice leaves one file. An S3 sink keeps that contract
 * (PutObject of the same key replaces it whole) under a prefix; see the README.
 */
export interface ExportSink {
  put(key: string, body: Buffer): Promise<void>;
  /** What to call the location in messages (a directory, an s3:// prefix). */
  readonly location: string;
}

/** Files under a directory: written to a temporary name beside the target, flushed to disk, renamed. */
export class DirectorySink implements ExportSink {
  constructor(readonly location: string) {}

  async put(key: string, body: Buffer): Promise<void> {
    const target = path.join(this.location, ...key.split('/'));
    const dir = path.dirname(target);
    await fs.mkdir(dir, { recursive: true });
    // A leading dot and a trailing .tmp keep a half-written file out of `*.ndjson.gz` globs.
    const temporary = path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await fs.open(temporary, 'w');
    try {
      await handle.writeFile(body);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await fs.rename(temporary, target);
    } catch (err) {
      await fs.rm(temporary, { force: true });
      throw err;
    }
    // The rename itself is durable once the directory is synced.
    const dirHandle = await fs.open(dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  }
}
