// A tiny host for channel tests: inbound → dedupe (channel + messageId) → Conversations (in memory) →
// channel.send for each reply. It has the shape of the real pipeline's entry, `(inbound) => Promise<void>`,
// and will be replaced by the in-memory pipeline once that exists.
import type { Channel, Inbound, InboundHandler } from "../../src/channel/contract.ts";
import { Conversations } from "../../src/conversation/conversations.ts";
import { MemoryStore } from "../../src/conversation/memory-store.ts";
import type { EngineContext, Event } from "../../src/engine/index.ts";

export interface TestHost {
  /** Give this to `channel.start`. */
  onInbound: InboundHandler;
  store: MemoryStore;
  /** Every inbound the channel handed over, duplicates included. */
  received: Inbound[];
  /** Sends that failed, with the error the channel threw. */
  failures: Array<{ address: string; error: unknown }>;
  /** The events saved for one address, in order. */
  eventsOf(channel: Inbound["channel"], address: string): Event[];
}

export function testHost(engine: EngineContext, channel: Pick<Channel, "send">): TestHost {
  const store = new MemoryStore();
  const conversations = new Conversations(engine, store);
  const seen = new Set<string>();
  const contacts = new Map<string, string>();
  const host: TestHost = {
    store,
    received: [],
    failures: [],
    onInbound: async (inbound) => {
      host.received.push(inbound);
      const key = `${inbound.channel}:${inbound.messageId}`;
      if (seen.has(key)) return;
      seen.add(key);
      const reply = await conversations.receive({ channel: inbound.channel, id: inbound.address }, inbound.input, { language: inbound.language });
      if (reply.contactId) contacts.set(`${inbound.channel}:${inbound.address}`, reply.contactId);
      for (const message of reply.messages) {
        try {
          await channel.send(inbound.address, message);
        } catch (error) {
          host.failures.push({ address: inbound.address, error });
        }
      }
    },
    eventsOf: (name, address) => {
      const contactId = contacts.get(`${name}:${address}`);
      return store.events.filter((e) => e.contactId === contactId).map((e) => e.event);
    },
  };
  return host;
}
