// A tiny in-memory host for the channel tests of one platform's details (test/bots/telegram.test.ts,
// whatsapp.test.ts: what the adapter hands over and how it renders): inbound → dedupe (channel +
// messageId) → Conversations (in memory) → channel.send for each reply, synchronously, so a test can
// look at the platform right after an update. It is not the product: the channel contract
// (test/bots/contract.ts) runs every channel in front of the real pipeline (test/support/pipeline-host.ts).
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
