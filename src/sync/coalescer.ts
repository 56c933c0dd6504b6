/**
 * Runs one job at a time, coalescing requests: those made while it runs cause one more run, at
 * the strongest urgency asked. The engine's drains, pulls and status reads each run through one.
 *
 *   idle ─request─► running ─ends, nothing asked meanwhile─► idle (onIdle)
 *                      └─ asked meanwhile ─► runs once more, at the strongest urgency asked
 */

/**
 * How urgently a drain is wanted: gently while the person writes (small batches), normally, or
 * forced (backoff ignored, full batches). Requests that meet in one run take the strongest.
 */
export const Urgency = { Gentle: 0, Normal: 1, Forced: 2 } as const;
export type Urgency = (typeof Urgency)[keyof typeof Urgency];

export class Coalescer {
  private requested = false;
  private urgency: Urgency = Urgency.Gentle;
  private running: Promise<void> | null = null;

  /** `job` never rejects by contract; `onIdle` is told each time the runs end. */
  constructor(
    private readonly job: (urgency: Urgency) => Promise<void>,
    private readonly onIdle?: () => void,
  ) {}

  /** Asks for a run; resolves when the runs that take this request in have ended. */
  request(urgency: Urgency = Urgency.Normal): Promise<void> {
    this.urgency = this.requested ? (Math.max(this.urgency, urgency) as Urgency) : urgency;
    this.requested = true;
    this.running ??= this.loop().finally(() => {
      this.running = null;
      this.onIdle?.();
    });
    return this.running;
  }

  /** Resolves when the current run (if any) has ended, without asking for another. */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  get busy(): boolean {
    return this.running !== null;
  }

  /** Whether a run at least this urgent is waiting for the current one to end. */
  waiting(urgency: Urgency): boolean {
    return this.requested && this.urgency >= urgency;
  }

  private async loop() {
    while (this.requested) {
      const urgency = this.urgency;
      this.requested = false;
      // The job never rejects by contract; a bug in it must not wedge the coalescer.
      await this.job(urgency).catch(() => undefined);
    }
  }
}
