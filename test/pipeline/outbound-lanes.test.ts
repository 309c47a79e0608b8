// A broadcast's messages are handed to the sender as bulk, a reply's not: the channel's flood control
// (bots/telegram/flood.ts) lets replies go first. No database: the jobs carry sealed addresses.
import { describe, expect, it } from "vitest";
import type { SendOptions, Sender } from "../../src/channel/contract.ts";
import { generateKey, IdentityVault, type Sql } from "../../src/db/index.ts";
import type { Message } from "../../src/engine/index.ts";
import type { OutboundJob } from "../../src/jobs/jobs.ts";
import { silentLog } from "../../src/log/log.ts";
import { outboundProcessor } from "../../src/pipeline/outbound.ts";

describe("outbound lanes", () => {
  it("passes bulk: true for a broadcast's job and bulk: false for a reply's", async () => {
    const vault = new IdentityVault({ hashKey: Buffer.from(generateKey(), "base64"), encryptionKey: Buffer.from(generateKey(), "base64") });
    const seen: Array<{ key: string; options: SendOptions | undefined }> = [];
    const sender: Sender = {
      channel: "telegram",
      send: async (_address: string, message: Message, options?: SendOptions) => {
        seen.push({ key: message.key, options });
        return { providerMessageId: String(seen.length) };
      },
    };
    const noDatabase = new Proxy({}, { get: () => () => Promise.reject(new Error("no database in this test")) }) as unknown as Sql;
    const send = outboundProcessor({ sql: noDatabase, vault, sender, gapMs: 0, sleep: async () => undefined, log: silentLog });
    const sealedAddress = Buffer.from(vault.encrypt("4242")).toString("base64");
    const run = (data: OutboundJob) => send({ queue: "outbound.telegram", id: `j-${data.priority}`, name: "send", data, attempt: 1, maxAttempts: 8, updateData: async () => undefined });
    const m = (key: string): Message => ({ key, params: {}, lang: "en", choices: [] });
    await run({ channel: "telegram", sealedAddress, messages: [m("reply:1"), m("reply:2")], priority: "reply", sent: 0 });
    await run({ channel: "telegram", sealedAddress, messages: [m("news:1")], priority: "bulk", sent: 0 });
    expect(seen).toEqual([
      { key: "reply:1", options: { bulk: false } },
      { key: "reply:2", options: { bulk: false } },
      { key: "news:1", options: { bulk: true } },
    ]);
  });
});
