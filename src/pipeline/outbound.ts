import { PermanentSendError, RateLimitedError, RecipientGoneError, SendAbandonedError, type ChannelName, type ChannelSender } from "../channel/contract.ts";
import type { Message } from "../engine/index.ts";
import { RowBatcher } from "../batch/row-batcher.ts";
import type { IdentityVault, Sql } from "../db/index.ts";
import { PermanentJobError, RetryLaterError } from "../queue/errors.ts";
import type { Job } from "../queue/types.ts";
import type { OutboundJob } from "../jobs/jobs.ts";
import type { Log } from "../log/log.ts";
import { findAddresses, markStopped, type Recipient, type Target } from "../repos/addresses.ts";
import { claimDelivery, endDelivery, type Claim } from "../repos/broadcasts.ts";

export interface OutboundDeps {
  sql: Sql;
  vault: IdentityVault;
  sender: ChannelSender;
  /** Pause between two messages to the same person (WhatsApp pacing). */
  gapMs: number;
  sleep: (ms: number) => Promise<void>;
  log: Log;
  now?: () => Date;
}

/** Per channel: how long to wait between two messages to one person. */
export const PER_PERSON_GAP_MS: Record<ChannelName, number> = { telegram: 0, whatsapp: 1000, terminal: 0 };

/**
 * Send one turn's messages to one person, in order, resuming after those already sent. A 429 waits
 * exactly what the platform asked; a blocked bot stops the contact. A message of a turn the platform
 * refuses (a bad request) is skipped with a log line and the rest of the turn still goes. A
 * broadcast's copy is claimed in its ledger first (src/repos/broadcasts.ts) and settled after.
 */
export function outboundProcessor(deps: OutboundDeps) {
  // Jobs running at once look their addresses up together, in one statement.
  const addresses = new RowBatcher<Recipient, Target | undefined>((recipients) => findAddresses(deps.sql, deps.vault, recipients));
  const now = deps.now ?? (() => new Date());
  return async (job: Job<OutboundJob>): Promise<void> => {
    const d = job.data;
    if (d.delivery) return sendDelivery(deps, addresses, job, d.delivery, now);
    const target = await addressOf(deps, addresses, d);
    if (!target) return; // erased since: nothing to send, nowhere to send it
    for (let i = d.sent; i < d.messages.length; i++) {
      if (i > d.sent && deps.gapMs > 0) await deps.sleep(deps.gapMs);
      try {
        await deps.sender.send(target.address, d.messages[i] as Message, { bulk: d.priority === "bulk" });
      } catch (e) {
        if (e instanceof RateLimitedError) throw new RetryLaterError(Math.ceil(e.retryAfterSeconds * 1000), e.message);
        if (e instanceof RecipientGoneError) {
          deps.log.info(`outbound ${job.id}: recipient gone, contact stopped`);
          if (d.contactId) await markStopped(deps.sql, d.contactId);
          return;
        }
        if (e instanceof PermanentSendError) {
          // Retrying won't change Telegram's mind, and the person still needs what comes after it.
          deps.log.warn(`outbound ${job.id}: message ${i + 1} of ${d.messages.length} skipped, refused by ${e.message}`);
          if (i + 1 < d.messages.length) await job.updateData({ ...d, sent: i + 1 });
          continue;
        }
        throw e;
      }
      // Progress is recorded for a retry to resume after it.
      if (i + 1 < d.messages.length) await job.updateData({ ...d, sent: i + 1 });
    }
  };
}

type Delivery = NonNullable<OutboundJob["delivery"]>;

/**
 * A broadcast's copy for one person: claimed (the person still active, the broadcast not paused,
 * cancelled or expired), sent, settled. A copy whose earlier send never ended (its process was
 * killed) is not sent again: it may have arrived.
 */
async function sendDelivery(deps: OutboundDeps, addresses: RowBatcher<Recipient, Target | undefined>, job: Job<OutboundJob>, delivery: Delivery, now: () => Date): Promise<void> {
  const d = job.data;
  const target = await addressOf(deps, addresses, d);
  if (!target) return; // erased: the delivery went with the contact
  // Claimed at the last moment, once the channel has a slot for it (after its wait behind replies):
  // between the claim and the call nothing else, so a process killed there leaves as little as can be in doubt.
  let claim: Claim | undefined;
  const beforeCall = async () => {
    claim = await claimDelivery(deps.sql, delivery.id, delivery.release, { from: delivery.from, to: "sending" }, now());
    return claim.outcome === "go";
  };
  const end = (how: Parameters<typeof endDelivery>[3]) => endDelivery(deps.sql, delivery.id, delivery.release, how, now());
  let providerMessageId: string | null = null;
  for (let i = d.sent; i < d.messages.length; i++) {
    if (i > d.sent && deps.gapMs > 0) await deps.sleep(deps.gapMs);
    try {
      const options = claim ? { bulk: true } : { bulk: true, beforeCall };
      providerMessageId = (await deps.sender.send(target.address, d.messages[i] as Message, options)).providerMessageId;
    } catch (e) {
      if (e instanceof SendAbandonedError) {
        const outcome = (claim as Claim | undefined)?.outcome;
        if (outcome === "interrupted") deps.log.warn(`outbound ${job.id}: an earlier send of this broadcast copy never ended; not sent again`);
        return;
      }
      const error = (e as Error).message;
      if (e instanceof RateLimitedError) {
        await end({ status: "back", to: delivery.from, error });
        throw new RetryLaterError(Math.ceil(e.retryAfterSeconds * 1000), error);
      }
      if (e instanceof RecipientGoneError) {
        deps.log.info(`outbound ${job.id}: recipient gone, contact stopped`);
        if (d.contactId) await markStopped(deps.sql, d.contactId);
        await end({ status: "blocked", error });
        return;
      }
      if (e instanceof PermanentSendError || job.attempt >= job.maxAttempts) {
        await end({ status: "failed", error });
        if (e instanceof PermanentSendError) throw new PermanentJobError(error, { cause: e });
        throw e;
      }
      await end({ status: "back", to: delivery.from, error });
      throw e;
    }
    if (i + 1 < d.messages.length) await job.updateData({ ...d, sent: i + 1 });
  }
  await end({ status: "sent", providerMessageId });
}

async function addressOf(deps: OutboundDeps, addresses: RowBatcher<Recipient, Target | undefined>, d: OutboundJob): Promise<Target | undefined> {
  if (d.sealedAddress) return { address: deps.vault.decrypt(Buffer.from(d.sealedAddress, "base64")), status: "active" };
  if (!d.contactId) throw new PermanentJobError("an outbound job needs a contact id or a sealed address");
  return addresses.add({ contactId: d.contactId, channel: d.channel });
}
