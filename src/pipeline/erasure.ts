// The queue step of an erasure. The database's part (src/repos/erase.ts) runs in a transaction; once it
// has committed, this removes what the queues still hold about the person. Called by the erasure turn
// (the person's DELETE, in the inbound worker) and by `inloco contact erase`. Jobs kept anywhere else
// later (a durable inbox) are purged here too, so that every erasure path stays one call.
import type { ChannelName } from "../channel/contract.ts";
import type { IdentityVault } from "../db/index.ts";
import type { QueueAdmin, StoredJob } from "../queue/types.ts";
import type { ErasedPerson } from "../repos/erase.ts";
import { isPipelineQueue } from "./queues.ts";

/**
 * Remove a person's jobs that wait, are delayed or failed (or completed and still kept) from every
 * pipeline queue, with their entries in BullMQ's event streams: jobs whose data or id holds their
 * contact id (outbound, ingest, timers, timeouts), and inbound jobs whose sealed address is one of
 * theirs (found by opening the seal and comparing keyed hashes). A job running at that moment is left
 * to end by itself: it finds no contact and does nothing, and completed jobs are not kept. Returns how
 * many jobs were removed.
 */
export async function forgetQueuedJobs(broker: QueueAdmin, vault: IdentityVault, person: ErasedPerson): Promise<number> {
  return broker.purge(isPipelineQueue, personsJob(vault, person));
}

/** Whether a job (or, with no data, a job id) belongs to the person. */
export function personsJob(vault: IdentityVault, person: ErasedPerson): (job: StoredJob) => boolean {
  const hashes = new Set(person.addresses.map((a) => `${a.channel} ${a.hash}`));
  return (job) => {
    if (job.id.includes(person.contactId)) return true;
    const data = job.data;
    if (typeof data !== "object" || data === null) return false;
    const d = data as { contactId?: unknown; sealedAddress?: unknown; channel?: unknown };
    if (d.contactId === person.contactId) return true;
    if (typeof d.sealedAddress !== "string" || typeof d.channel !== "string" || hashes.size === 0) return false;
    try {
      const address = vault.decrypt(Buffer.from(d.sealedAddress, "base64"));
      return hashes.has(`${d.channel} ${vault.hashAddress(d.channel as ChannelName, address)}`);
    } catch {
      return false; // sealed with another key: not one we can match, nor read
    }
  };
}
