import type { ChannelName } from "../channel/contract.ts";
import type { SqlTx } from "../db/index.ts";

/** What an erasure removed, in numbers only: what the audit log keeps. */
export interface ErasureReport {
  answers: number;
  feedback: number;
  identities: number;
}

/**
 * Who was erased, as the queues may still know them, for the queue step that follows the commit
 * (src/pipeline/erasure.ts). Held in memory only: never stored, logged or printed.
 */
export interface ErasedPerson {
  contactId: string;
  /** The keyed hashes of their addresses (what `channel_identities` held). */
  addresses: ReadonlyArray<{ channel: ChannelName; hash: string }>;
}

/**
 * Erase a contact: identities (addresses), answers, survey runs, sessions, RSVPs, broadcast deliveries
 * and outbox go with the contact row; feedback stays for the task force but loses its text, its
 * contact and the id of the event it came from (the queue job's id, which the person's other records
 * shared), in favour of a random one. Counts per territory stay, pointing at no one; the receipts of
 * events of turns keyed by the contact id (timer turns) go. The audit log says who erased, and how
 * much, never what. Messages of theirs waiting in the inbox (in-process queues) go in the same transaction.
 * Then, after the commit, the queues: `forgetQueuedJobs(broker, vault, person)`.
 */
export async function eraseContact(tx: SqlTx, contactId: string, actor: string): Promise<(ErasureReport & { person: ErasedPerson }) | undefined> {
  const { rows } = await tx.query<{ answers: string; identities: string }>(
    `SELECT (SELECT count(*) FROM answers WHERE contact_id = $1) AS answers,
            (SELECT count(*) FROM channel_identities WHERE contact_id = $1) AS identities
     FROM contacts WHERE id = $1 FOR UPDATE`,
    [contactId],
  );
  const row = rows[0];
  if (!row) return undefined;
  const addresses = await tx.query<{ channel: ChannelName; hash: string }>(
    "SELECT channel::text AS channel, address_hash AS hash FROM channel_identities WHERE contact_id = $1",
    [contactId],
  );
  const feedback = await tx.query(
    "UPDATE feedback SET text = NULL, media_ref = NULL, contact_id = NULL, source_event_id = 'erased-' || gen_random_uuid() WHERE contact_id = $1",
    [contactId],
  );
  // What they typed and had not been handled yet (the in-process queues' inbox), found by their addresses' hashes.
  await tx.query("DELETE FROM inbox WHERE address_hash IN (SELECT address_hash FROM channel_identities WHERE contact_id = $1)", [contactId]);
  // Turns without a delivery (timers) are keyed by the contact id, and so are their events' receipts.
  await tx.query("DELETE FROM ingest_receipts WHERE event_id LIKE $1 || '-%'", [contactId]);
  // A task force's reply to this person's feedback names them in its segment: it goes with them.
  await tx.query("DELETE FROM broadcasts WHERE kind = 'feedback_reply' AND segment->'contacts' ? $1", [contactId]);
  await tx.query("DELETE FROM contacts WHERE id = $1", [contactId]);
  const report: ErasureReport = { answers: Number(row.answers), feedback: feedback.rowCount ?? 0, identities: Number(row.identities) };
  await tx.query("INSERT INTO audit_log (id, actor, action, subject, details) VALUES (gen_random_uuid(), $1, 'erase', $2, $3)", [actor, contactId, report]);
  return { ...report, person: { contactId, addresses: addresses.rows } };
}
