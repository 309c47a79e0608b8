import type { Message } from "../engine/index.ts";
import type { OutboxItem } from "../jobs/outbox.ts";
import type { HandOverContext } from "./effect.ts";

/**
 * A turn's messages to the person: one outbound job, so they arrive in order, before any bulk. A turn
 * a broadcast began (its flow started) is that broadcast's copy: bulk, and settled in its ledger.
 */
export function replies(messages: readonly Message[], ctx: Pick<HandOverContext, "contactId" | "channel" | "key" | "delivery">): OutboxItem | undefined {
  if (messages.length === 0) return undefined;
  const payload = { channel: ctx.channel, contactId: ctx.contactId, messages: [...messages], sent: 0 };
  if (ctx.delivery) return { id: `${ctx.key}/out`, kind: "outbound", payload: { ...payload, priority: "bulk", delivery: { ...ctx.delivery, from: "started" } } };
  return { id: `${ctx.key}/out`, kind: "outbound", payload: { ...payload, priority: "reply" } };
}
