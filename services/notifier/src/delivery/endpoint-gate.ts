/**
 * Per endpoint, in this process: how many deliveries are under way (at most `cap`, so an
 * endpoint that hangs holds `cap` slots and no more) and until when it asked us to wait (a
 * chat service's 429 retry_after applies to everything sent to that webhook or bot, not just
 * the message that drew it).
 */
export class EndpointGate {
  private readonly inFlight = new Map<string, number>();
  private readonly pausedUntil = new Map<string, number>();

  constructor(private readonly cap: number) {}

  /** When the endpoint may be called again (ms epoch), or null if now. */
  waitUntil(endpointId: string, now: number): number | null {
    const until = this.pausedUntil.get(endpointId);
    if (until === undefined) return null;
    if (until <= now) {
      this.pausedUntil.delete(endpointId);
      return null;
    }
    return until;
  }

  pause(endpointId: string, until: number): void {
    this.pausedUntil.set(endpointId, Math.max(until, this.pausedUntil.get(endpointId) ?? 0));
  }

  /** Takes a slot, or false when the endpoint already has `cap` deliveries under way. */
  tryAcquire(endpointId: string): boolean {
    const n = this.inFlight.get(endpointId) ?? 0;
    if (n >= this.cap) return false;
    this.inFlight.set(endpointId, n + 1);
    return true;
  }

  release(endpointId: string): void {
    const n = (this.inFlight.get(endpointId) ?? 1) - 1;
    if (n <= 0) this.inFlight.delete(endpointId);
    else this.inFlight.set(endpointId, n);
  }

  busy(endpointId: string): number {
    return this.inFlight.get(endpointId) ?? 0;
  }
}
