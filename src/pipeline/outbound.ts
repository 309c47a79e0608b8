import { PermanentSendError, RateLimitedError, RecipientGoneError, type ChannelName, type ChannelSender } from "../channel/contract.ts";
import type { Message } from "../engine/index.ts";
import { RowBatcher } from "../batch/row-batcher.ts";
import type { IdentityVault, Sql } from "../db/index.ts";
import { PermanentJobError, RetryLaterError } from "../queue/errors.ts";
import type { Job } from "../queue/types.ts";
import type { OutboundJob } from "../jobs/jobs.ts";
import type { Log } from "../log/log.ts";
import { findAddresses, markStopped, type Recipient, type Target } from "../repos/addresses.ts";
import { recordDelivery } from "../repos/deliveries.ts";

export interface OutboundDeps {
  sql: Sql;
  vault: IdentityVault;
  sender: ChannelSender;
  /** Pause between two messages to the same person (WhatsApp pacing). */
  gapMs: number;
  sleep: (ms: number) => Promise<void>;
  log: Log;
}

/** Per channel: how long to wait between two messages to one person. */
export const PER_PERSON_GAP_MS: Record<ChannelName, number> = { telegram: 0, whatsapp: 1000, terminal: 0 };

/**
 * Send one turn's messages to one person, in order, resuming after those already sent. A 429 waits
 * exactly what the platform asked; a blocked bot stops the contact. A message of a turn the platform
 * refuses (a bad request) is skipped with a log line and the rest of the turn still goes; a broadcast's
 * refused delivery fails for good.
 */
export function outboundProcessor(deps: OutboundDeps) {
  // Jobs running at once look their addresses up together, in one statement.
  const addresses = new RowBatcher<Recipient, Target | undefined>((recipients) => findAddresses(deps.sql, deps.vault, recipients));
  return async (job: Job<OutboundJob>): Promise<void> => {
    const d = job.data;
    const target = await addressOf(deps, addresses, d);
    if (!target) return; // erased since: nothing to send, nowhere to send it
    if (d.priority === "bulk" && target.status !== "active") {
      if (d.deliveryId) await recordDelivery(deps.sql, d.deliveryId, "skipped_opted_out");
      return;
    }
    let providerMessageId: string | undefined;
    for (let i = d.sent; i < d.messages.length; i++) {
      if (i > d.sent && deps.gapMs > 0) await deps.sleep(deps.gapMs);
      try {
        providerMessageId = (await deps.sender.send(target.address, d.messages[i] as Message, { bulk: d.priority === "bulk" })).providerMessageId;
      } catch (e) {
        if (e instanceof RateLimitedError) throw new RetryLaterError(Math.ceil(e.retryAfterSeconds * 1000), e.message);
        if (e instanceof RecipientGoneError) {
          deps.log.info(`outbound ${job.id}: recipient gone, contact stopped`);
          if (d.contactId) await markStopped(deps.sql, d.contactId);
          if (d.deliveryId) await recordDelivery(deps.sql, d.deliveryId, "failed", "recipient gone");
          return;
        }
        if (e instanceof PermanentSendError && !d.deliveryId) {
          // Retrying won't change Telegram's mind, and the person still needs what comes after it.
          deps.log.warn(`outbound ${job.id}: message ${i + 1} of ${d.messages.length} skipped, refused by ${e.message}`);
          if (i + 1 < d.messages.length) await job.updateData({ ...d, sent: i + 1 });
          continue;
        }
        if (d.deliveryId) {
          const final = e instanceof PermanentSendError || job.attempt >= job.maxAttempts;
          await recordDelivery(deps.sql, d.deliveryId, final ? "failed" : "queued", (e as Error).message.slice(0, 500));
        }
        if (e instanceof PermanentSendError) throw new PermanentJobError(e.message, { cause: e });
        throw e;
      }
      // Progress is recorded for a retry to resume after it; after the last message only if a step follows that can fail.
      if (i + 1 < d.messages.length || d.deliveryId) await job.updateData({ ...d, sent: i + 1 });
    }
    if (d.deliveryId) await recordDelivery(deps.sql, d.deliveryId, "sent", null, providerMessageId ?? null);
  };
}

async function addressOf(deps: OutboundDeps, addresses: RowBatcher<Recipient, Target | undefined>, d: OutboundJob): Promise<Target | undefined> {
  if (d.sealedAddress) return { address: deps.vault.decrypt(Buffer.from(d.sealedAddress, "base64")), status: "active" };
  if (!d.contactId) throw new PermanentJobError("an outbound job needs a contact id or a sealed address");
  return addresses.add({ contactId: d.contactId, channel: d.channel });
}
