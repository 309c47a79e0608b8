import type { Message } from "../engine/index.ts";
import type { OutboxItem } from "../jobs/outbox.ts";
import type { HandOverContext } from "./effect.ts";

/** A turn's messages to the person: one outbound job, so they arrive in order, before any bulk. */
export function replies(messages: readonly Message[], ctx: Pick<HandOverContext, "contactId" | "channel" | "key">): OutboxItem | undefined {
  if (messages.length === 0) return undefined;
  return { id: `${ctx.key}/out`, kind: "outbound", payload: { channel: ctx.channel, contactId: ctx.contactId, messages: [...messages], priority: "reply", sent: 0 } };
}
