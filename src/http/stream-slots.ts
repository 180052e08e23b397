import { ServiceError } from "../service/service-error.js";

/**
 * Each caller's open event streams, counted so that one caller cannot hold every connection and
 * Redis poller of the process. Callers without an open stream take no room.
 */
export class StreamSlots {
  private readonly open = new Map<string, number>();

  constructor(private readonly perCaller: number) {}

  /** Takes one of the caller's slots (429 when none is left); call the answer to give it back. */
  take(caller: string): () => void {
    const count = this.open.get(caller) ?? 0;
    if (count >= this.perCaller) {
      throw new ServiceError(
        "too_many_requests",
        `${caller} has ${count} event streams open, the most allowed (ENFORCER_MAX_STREAMS_PER_CALLER); close one first`,
      );
    }
    this.open.set(caller, count + 1);
    return () => {
      const left = (this.open.get(caller) ?? 1) - 1;
      if (left > 0) this.open.set(caller, left);
      else this.open.delete(caller);
    };
  }
}
