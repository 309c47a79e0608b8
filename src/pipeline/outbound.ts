import { PermanentSendError, RateLimitedError, RecipientGoneError, type ChannelName, type ChannelSender } from "../channel/contract.ts";
import type { IdentityVault } from "../db/crypto.ts";
import type { Message } from "../engine/index.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import { PermanentJobError, RetryLaterError } from "../queue/errors.ts";
import type { Job } from "../queue/types.ts";
import type { OutboundJob } from "./jobs.ts";

export interface OutboundDeps {
  prisma: PrismaClient;
  vault: IdentityVault;
  sender: ChannelSender;
  /** Pause between two messages to the same person (WhatsApp pacing). */
  gapMs: number;
  sleep: (ms: number) => Promise<void>;
  log: (line: string) => void;
}

/** Per channel: how long to wait between two messages to one person. */
export const PER_PERSON_GAP_MS: Record<ChannelName, number> = { telegram: 0, whatsapp: 1000, terminal: 0 };

/**
 * Send one turn's messages to one person, in order, resuming after those already sent. A 429 waits
 * exactly what the platform asked; a blocked bot stops the contact; a bad request fails for good.
 */
export function outboundProcessor(deps: OutboundDeps) {
  return async (job: Job<OutboundJob>): Promise<void> => {
    const d = job.data;
    const target = await addressOf(deps, d);
    if (!target) return; // erased since: nothing to send, nowhere to send it
    if (d.priority === "bulk" && target.status !== "active") {
      if (d.deliveryId) await deps.prisma.delivery.update({ where: { id: d.deliveryId }, data: { status: "skipped_opted_out" } });
      return;
    }
    let providerMessageId: string | undefined;
    for (let i = d.sent; i < d.messages.length; i++) {
      if (i > d.sent && deps.gapMs > 0) await deps.sleep(deps.gapMs);
      try {
        providerMessageId = (await deps.sender.send(target.address, d.messages[i] as Message)).providerMessageId;
      } catch (e) {
        if (e instanceof RateLimitedError) throw new RetryLaterError(Math.ceil(e.retryAfterSeconds * 1000), e.message);
        if (e instanceof RecipientGoneError) {
          deps.log(`outbound ${job.id}: recipient gone, contact stopped`);
          if (d.contactId) await deps.prisma.contact.updateMany({ where: { id: d.contactId }, data: { status: "stopped" } });
          if (d.deliveryId) await deps.prisma.delivery.update({ where: { id: d.deliveryId }, data: { status: "failed", error: "recipient gone" } });
          return;
        }
        if (d.deliveryId) {
          await deps.prisma.delivery.update({ where: { id: d.deliveryId }, data: { attempts: { increment: 1 }, error: (e as Error).message.slice(0, 500), ...(e instanceof PermanentSendError || job.attempt >= job.maxAttempts ? { status: "failed" } : {}) } });
        }
        if (e instanceof PermanentSendError) throw new PermanentJobError(e.message, { cause: e });
        throw e;
      }
      await job.updateData({ ...d, sent: i + 1 });
    }
    if (d.deliveryId) await deps.prisma.delivery.update({ where: { id: d.deliveryId }, data: { status: "sent", attempts: { increment: 1 }, providerMessageId: providerMessageId ?? null } });
  };
}

async function addressOf(deps: OutboundDeps, d: OutboundJob): Promise<{ address: string; status: string } | undefined> {
  if (d.sealedAddress) return { address: deps.vault.decrypt(Buffer.from(d.sealedAddress, "base64")), status: "active" };
  if (!d.contactId) throw new PermanentJobError("an outbound job needs a contact id or a sealed address");
  const identity = await deps.prisma.channelIdentity.findFirst({
    where: { contactId: d.contactId, channel: d.channel },
    select: { addressEncrypted: true, contact: { select: { status: true } } },
  });
  if (!identity) return undefined;
  return { address: deps.vault.decrypt(identity.addressEncrypted), status: identity.contact.status };
}
