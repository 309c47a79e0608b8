import { setTimeout as delay } from "node:timers/promises";
import type { Inbound, InboundHandler } from "../src/channel/contract.ts";
import type { Log } from "../src/log/log.ts";

export interface Patience {
  /** First wait after a failure; it doubles on each attempt up to `maxMs`. */
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_PATIENCE: Patience = { initialMs: 1_000, maxMs: 60_000 };

/**
 * Hand an inbound message over, retrying with capped exponential backoff until it is taken or the
 * signal says the channel is stopping: for platforms that won't deliver the message again themselves
 * (Telegram polling confirms what it fetched; WhatsApp Web delivers once).
 */
export async function handOverPatiently(
  onInbound: InboundHandler,
  inbound: Inbound,
  o: { patience: Patience; signal: AbortSignal; log: Log },
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await onInbound(inbound);
    } catch (e) {
      if (o.signal.aborted) throw e;
      const wait = Math.min(o.patience.initialMs * 2 ** (attempt - 1), o.patience.maxMs);
      o.log.warn(`${inbound.channel}: message ${inbound.messageId} not handed over (${describe(e)}); retrying in ${wait} ms`);
      await delay(wait, undefined, { signal: o.signal }).catch(() => undefined);
    }
  }
}

export function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
