import type { Logger } from '@market/platform';
import type { InstanceSupervisor } from './supervisor';

/**
 * Every `intervalMs`, compares recorded statuses with what runs (InstanceSupervisor.reconcile);
 * the first pass, at start-up, marks instances whose workload vanished while the service was down
 * FAILED "lost on restart". Ticks never overlap.
 */
export class Reconciler {
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly supervisor: InstanceSupervisor,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  /** Runs the start-up pass, then schedules the others. */
  async start(): Promise<void> {
    await this.tick(true);
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.current;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.tick(false).then(() => this.schedule());
    }, this.intervalMs);
    this.timer.unref();
  }

  private tick(startup: boolean): Promise<void> {
    this.current = this.supervisor.reconcile({ startup }).catch((err: unknown) => {
      this.logger.warn({ err, startup }, 'instance reconciliation failed; will retry');
    });
    return this.current;
  }
}
