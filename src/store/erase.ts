import type { SqlTx } from "../db/sql.ts";

/** What an erasure removed, in numbers only. */
export interface ErasureReport {
  answers: number;
  feedback: number;
  identities: number;
}

/**
 * Erase a contact: identities (addresses), answers, survey runs, sessions, RSVPs and pending outbox
 * go with the contact row; feedback stays for the task force but loses its text and every link to
 * the person. Counts per territory stay, pointing at no one. The audit log says who erased, and
 * how much, never what.
 */
export async function eraseContact(tx: SqlTx, contactId: string, actor: string): Promise<ErasureReport | undefined> {
  const { rows } = await tx.query<{ answers: string; identities: string }>(
    `SELECT (SELECT count(*) FROM answers WHERE contact_id = $1) AS answers,
            (SELECT count(*) FROM channel_identities WHERE contact_id = $1) AS identities
     FROM contacts WHERE id = $1 FOR UPDATE`,
    [contactId],
  );
  const row = rows[0];
  if (!row) return undefined;
  const feedback = await tx.query("UPDATE feedback SET text = NULL, media_ref = NULL, contact_id = NULL WHERE contact_id = $1", [contactId]);
  await tx.query("DELETE FROM contacts WHERE id = $1", [contactId]);
  const report = { answers: Number(row.answers), feedback: feedback.rowCount ?? 0, identities: Number(row.identities) };
  await tx.query("INSERT INTO audit_log (id, actor, action, subject, details) VALUES (gen_random_uuid(), $1, 'erase', $2, $3)", [actor, contactId, report]);
  return report;
}
