import type { Conversations } from "../conversation/conversations.ts";
import type { OutboxItem, Who } from "../conversation/store.ts";
import type { IdentityVault } from "../db/crypto.ts";
import { PermanentJobError } from "../queue/errors.ts";
import type { Broker, Job } from "../queue/types.ts";
import { dispatch } from "./dispatch.ts";
import type { InboundJob, OutboundJob } from "./jobs.ts";
import { PRIORITY, QUEUES } from "./queues.ts";

export interface InboundDeps {
  conversations: Conversations;
  vault: IdentityVault;
  broker: Broker;
  now: () => Date;
  log: (line: string) => void;
}

/** One message of one person: an engine turn stored in one transaction, then its outbox queued. */
export function inboundProcessor(deps: InboundDeps) {
  return async (job: Job<InboundJob>): Promise<void> => {
    const d = job.data;
    const who = whoOf(d, deps.vault);
    const shard = Number(job.queue.slice(job.queue.lastIndexOf("-") + 1));
    let outbox: OutboxItem[];
    try {
      const reply = await deps.conversations.receive(who, d.input, {
        ...(d.language ? { language: d.language } : {}),
        ...(d.delivery ? { delivery: { channel: d.channel, messageId: d.delivery } } : {}),
        shard,
      });
      outbox = reply.outbox;
      // The erasure turn deletes the address with everything else: its goodbye travels sealed.
      if (reply.events.some((e) => e.type === "erasure.requested") && d.sealedAddress) {
        outbox = outbox.map((o) => (o.kind === "outbound" ? { ...o, payload: { ...o.payload, contactId: undefined, sealedAddress: d.sealedAddress } } : o));
      }
    } catch (e) {
      deps.log(`inbound ${job.id}: try ${job.attempt} of ${job.maxAttempts} failed: ${(e as Error).message}`);
      if (job.attempt >= job.maxAttempts && d.sealedAddress && d.input.type !== "timeout") await sorry(deps.broker, job, d);
      throw e;
    }
    await dispatch(deps.broker, outbox, deps.now());
  };
}

function whoOf(d: InboundJob, vault: IdentityVault): Who {
  if (d.sealedAddress) return { channel: d.channel, id: vault.decrypt(Buffer.from(d.sealedAddress, "base64")) };
  if (d.contactId) return { contactId: d.contactId, channel: d.channel };
  throw new PermanentJobError("an inbound job needs a sealed address or a contact id");
}

// Nothing the person said could be stored: tell them, briefly, in the language they were last seen in.
async function sorry(broker: Broker, job: Job<InboundJob>, d: InboundJob): Promise<void> {
  const message = { key: "session:try_again", params: {}, lang: d.language ?? "en", choices: [] };
  const out: OutboundJob = { channel: d.channel, sealedAddress: d.sealedAddress, messages: [message], priority: "reply", sent: 0 };
  await broker.add(QUEUES.outbound(d.channel), "send", out, { id: `${job.id}/sorry`, priority: PRIORITY.reply }).catch(() => undefined);
}
