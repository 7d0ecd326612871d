import type { Db, Tx } from '../db';
import type { InstanceLogLineRecord, LogStream } from '../domain';

export interface NewLogLine {
  instanceId: string;
  stream: LogStream;
  line: string;
  at: Date;
}

interface LogLineRow {
  id: bigint | string;
  instanceId: string;
  stream: LogStream;
  line: string;
  at: Date;
}

function toLogLine(row: LogLineRow): InstanceLogLineRecord {
  return { ...row, id: String(row.id) };
}

/** The lines instances wrote: appended in batches, kept bounded per instance, read a page at a time. */
export class LogLineRepository {
  constructor(private readonly db: Db) {}

  /**
   * Appends lines in the order given and trims their instances to their newest `keep` lines, in one
   * transaction: a reader never sees more than `keep` lines of an instance. Returns the lines with their ids.
   */
  async appendAndTrim(lines: readonly NewLogLine[], keep: number): Promise<InstanceLogLineRecord[]> {
    if (lines.length === 0) return [];
    return this.db.$transaction(
      async (tx) => {
        const stored = await LogLineRepository.append(tx, lines);
        await LogLineRepository.trim(
          tx,
          lines.map((l) => l.instanceId),
          keep,
        );
        return stored;
      },
      { maxWait: 15_000, timeout: 15_000 },
    );
  }

  private static async append(tx: Tx, lines: readonly NewLogLine[]): Promise<InstanceLogLineRecord[]> {
    const rows = await tx.$queryRaw<LogLineRow[]>`
      INSERT INTO instance_log_lines (instance_id, stream, line, logged_at)
      SELECT l.instance_id, l.stream::"LogStream", l.line, l.logged_at
      FROM unnest(${lines.map((l) => l.instanceId)}::uuid[], ${lines.map((l) => l.stream)}::text[],
                  ${lines.map((l) => l.line)}::text[], ${lines.map((l) => l.at)}::timestamptz[])
           WITH ORDINALITY AS l(instance_id, stream, line, logged_at, n)
      ORDER BY l.n
      RETURNING id, instance_id::text AS "instanceId", stream::text AS stream, line, logged_at AS at`;
    return rows.map(toLogLine).sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  }

  /** Keeps the newest `keep` lines of each instance and deletes the older ones, in one statement. */
  private static async trim(tx: Tx, instanceIds: readonly string[], keep: number): Promise<number> {
    return tx.$executeRaw`
      DELETE FROM instance_log_lines l
      USING (
        SELECT i.id AS instance_id,
               (SELECT k.id FROM instance_log_lines k WHERE k.instance_id = i.id ORDER BY k.id DESC OFFSET ${keep} LIMIT 1) AS cutoff
        FROM unnest(${[...new Set(instanceIds)]}::uuid[]) AS i(id)
      ) c
      WHERE c.cutoff IS NOT NULL AND l.instance_id = c.instance_id AND l.id <= c.cutoff`;
  }

  /** The newest `count` lines of the instance, oldest first. */
  async latest(instanceId: string, count: number): Promise<InstanceLogLineRecord[]> {
    if (count === 0) return [];
    const rows = await this.db.instanceLogLine.findMany({
      where: { instanceId },
      select: { id: true, instanceId: true, stream: true, line: true, loggedAt: true },
      orderBy: { id: 'desc' },
      take: count,
    });
    return rows.reverse().map((r) => toLogLine({ id: r.id, instanceId: r.instanceId, stream: r.stream, line: r.line, at: r.loggedAt }));
  }

  /** Deletes every line of these instances. */
  async deleteOf(instanceIds: readonly string[]): Promise<number> {
    if (instanceIds.length === 0) return 0;
    const { count } = await this.db.instanceLogLine.deleteMany({ where: { instanceId: { in: [...instanceIds] } } });
    return count;
  }

  /** Up to `limit` lines of the instance after the line `afterId` (from the oldest kept when null), oldest first. */
  async page(instanceId: string, afterId: bigint | null, limit: number): Promise<InstanceLogLineRecord[]> {
    const rows = await this.db.instanceLogLine.findMany({
      where: { instanceId, ...(afterId === null ? {} : { id: { gt: afterId } }) },
      select: { id: true, instanceId: true, stream: true, line: true, loggedAt: true },
      orderBy: { id: 'asc' },
      take: limit,
    });
    return rows.map((r) => toLogLine({ id: r.id, instanceId: r.instanceId, stream: r.stream, line: r.line, at: r.loggedAt }));
  }
}
