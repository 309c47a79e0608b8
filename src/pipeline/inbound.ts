import type { Conversations } from "../conversation/conversations.ts";
import type { Who } from "../conversation/store.ts";
import { erasesContact } from "../effects/erasure-requested.ts";
import type { OutboxItem } from "../jobs/outbox.ts";
import type { Log } from "../log/log.ts";
import type { IdentityVault, Sql } from "../db/index.ts";
import { claimDelivery, endDelivery } from "../repos/broadcasts.ts";
import { PermanentJobError } from "../queue/errors.ts";
import type { Job, Producer, QueueAdmin } from "../queue/types.ts";
import type { ErasedPerson } from "../repos/erase.ts";
import type { Inbox } from "../repos/inbox.ts";
import { dispatch } from "./dispatch.ts";
import { forgetQueuedJobs } from "./erasure.ts";
import type { BroadcastDelivery, InboundJob, OutboundJob } from "../jobs/jobs.ts";
import { PRIORITY, QUEUES } from "./queues.ts";

export interface InboundDeps {
  conversations: Conversations;
  /** The ledger of broadcast copies (a broadcast starting a flow is claimed there first). */
  sql: Sql;
  vault: IdentityVault;
  /** Puts the turn's outbox; purges an erased person's queued jobs. */
  broker: Producer & QueueAdmin;
  now: () => Date;
  log: Log;
  /** With the in-process queues: the accepted messages kept until their turn is stored. */
  inbox?: Inbox;
}

/** One message of one person on inbound shard `shard`: an engine turn stored atomically, then its outbox queued. */
export function inboundProcessor(deps: InboundDeps, shard: number) {
  return async (job: Job<InboundJob>): Promise<void> => {
    const d = job.data;
    if (d.delivery && !(await claimStart(deps, job, d.delivery))) return;
    const who = whoOf(d, deps.vault);
    let outbox: OutboxItem[];
    let erased: ErasedPerson | undefined;
    try {
      const reply = await deps.conversations.receive(who, d.input, {
        ...(d.language ? { language: d.language } : {}),
        ...(d.messageId ? { receipt: { channel: d.channel, messageId: d.messageId } } : {}),
        ...(d.delivery ? { delivery: d.delivery } : {}),
        shard,
      });
      outbox = reply.outbox;
      // A stored turn (or a repeat) took its message out of the inbox; one that changed nothing did not.
      if (!reply.saved && !reply.duplicate && d.messageId) await deps.inbox?.consume(d.channel, d.messageId);
      if (reply.saved && reply.contactId && erasesContact(reply.events)) {
        erased = { contactId: reply.contactId, addresses: "id" in who ? [{ channel: who.channel, hash: deps.vault.hashAddress(who.channel, who.id) }] : [] };
        // The erasure turn deletes the address with everything else: its goodbye travels sealed.
        if (d.sealedAddress) {
          outbox = outbox.map((o) => (o.kind === "outbound" ? { ...o, payload: { ...o.payload, contactId: undefined, sealedAddress: d.sealedAddress } } : o));
        }
      }
    } catch (e) {
      deps.log.warn(`inbound ${job.id}: try ${job.attempt} of ${job.maxAttempts} failed: ${(e as Error).message}`);
      // A database that is away: wait for it (the person's later messages wait behind, in order).
      // Anything else is given three tries, so one bad message can't hold a shard for long.
      const giveUp = job.attempt >= job.maxAttempts || (!isTransient(e) && job.attempt >= NON_TRANSIENT_TRIES);
      if (giveUp && d.sealedAddress && d.input.type !== "timeout") await sorry(deps.broker, job, d);
      if (giveUp && d.messageId) await deps.inbox?.consume(d.channel, d.messageId).catch(() => undefined);
      if (giveUp && job.attempt < job.maxAttempts) throw new PermanentJobError(`gave up after ${job.attempt} tries: ${(e as Error).message}`, { cause: e });
      throw e;
    }
    // Committed: now the person's jobs still queued (before the goodbye is, which must not be purged).
    if (erased) await forgetAfterErasure(deps, erased);
    await dispatch(deps.broker, outbox, deps.now());
    // A broadcast's flow that had nothing to say: its copy ends here (else the message's send settles it).
    if (d.delivery && !outbox.some((o) => o.kind === "outbound")) {
      await endDelivery(deps.sql, d.delivery.id, d.delivery.release, { status: "failed", error: "the flow started had nothing to say" }, deps.now());
    }
  };
}

/**
 * A broadcast starting a flow: at the person's turn in their own order (so a STOP they sent just
 * before is seen), its copy is claimed; false when it is not to run (skipped, paused, ended).
 */
async function claimStart(deps: InboundDeps, job: Job<InboundJob>, delivery: BroadcastDelivery): Promise<boolean> {
  const claim = await claimDelivery(deps.sql, delivery.id, delivery.release, { from: "queued", to: "started" }, deps.now());
  if (claim.outcome === "go") return true;
  deps.log.debug(`inbound ${job.id}: broadcast copy not started (${claim.outcome === "skipped" ? `skipped: ${claim.reason}` : claim.outcome})`);
  return false;
}

/**
 * The queue step of the person's DELETE. Once: a retry of this job finds the message's receipt and
 * does not see the erasure again, so a failure is tried again here, then logged (without who).
 */
async function forgetAfterErasure(deps: InboundDeps, person: ErasedPerson): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await forgetQueuedJobs(deps.broker, deps.vault, person);
      return;
    } catch (e) {
      if (attempt >= 3) {
        deps.log.error(`erasure: the erased person's queued jobs could not be removed (${(e as Error).message}); their failed jobs expire in 7 days`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
    }
  }
}

const NON_TRANSIENT_TRIES = 3;
// Prisma's codes for a database that can't be reached, timed out or ran out of connections.
const TRANSIENT_PRISMA = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2034"]);
const TRANSIENT_NET = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|Connection terminated|connection timeout|socket hang up|Can't reach database|the database system is (starting up|shutting down)|terminating connection/i;

/** Whether an error means "the database (or network) is away for now", worth waiting for. */
export function isTransient(e: unknown): boolean {
  let err: unknown = e;
  for (let depth = 0; err && depth < 5; depth++, err = (err as { cause?: unknown }).cause) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string" && (TRANSIENT_PRISMA.has(code) || /^(ECONN|ETIMEDOUT|EPIPE|57P0|08)/.test(code))) return true;
    if (err instanceof Error && TRANSIENT_NET.test(err.message)) return true;
    // The driver adapter's own error when the connection drops at COMMIT.
    if ((err as { kind?: unknown }).kind === "ConnectionClosed" || (err as { cause?: { kind?: unknown } }).cause?.kind === "ConnectionClosed") return true;
  }
  return false;
}

function whoOf(d: InboundJob, vault: IdentityVault): Who {
  if (d.sealedAddress) return { channel: d.channel, id: vault.decrypt(Buffer.from(d.sealedAddress, "base64")) };
  if (d.contactId) return { contactId: d.contactId, channel: d.channel };
  throw new PermanentJobError("an inbound job needs a sealed address or a contact id");
}

// Nothing the person said could be stored: tell them, briefly, in the language they were last seen in.
async function sorry(broker: Producer, job: Job<InboundJob>, d: InboundJob): Promise<void> {
  const message = { key: "session:try_again", params: {}, lang: d.language ?? "en", choices: [] };
  const out: OutboundJob = { channel: d.channel, sealedAddress: d.sealedAddress, messages: [message], priority: "reply", sent: 0 };
  await broker.put(QUEUES.outbound(d.channel), "send", out, { id: `${job.id}/sorry`, priority: PRIORITY.reply }).catch(() => undefined);
}
