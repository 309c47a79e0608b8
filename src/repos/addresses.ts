import type { ChannelName } from "../channel/contract.ts";
import type { IdentityVault, Sql } from "../db/index.ts";

/** Whom a message goes to: a contact on a channel. */
export interface Recipient {
  contactId: string;
  channel: ChannelName;
}

/** Where it goes: the address (decrypted, for this send only) and whether the contact is active. */
export interface Target {
  address: string;
  status: string;
}

/** The addresses (decrypted) and statuses of any number of contacts, in order; undefined for one erased. */
export async function findAddresses(sql: Sql, vault: IdentityVault, recipients: readonly Recipient[]): Promise<Array<Target | undefined>> {
  const { rows } = await sql.query<{ i: string; address_encrypted: Buffer; status: string }>(
    `SELECT r.i, ci.address_encrypted, c.status
     FROM unnest($1::uuid[], $2::channel[]) WITH ORDINALITY AS r(contact_id, channel, i)
     JOIN channel_identities ci ON ci.contact_id = r.contact_id AND ci.channel = r.channel JOIN contacts c ON c.id = ci.contact_id`,
    [recipients.map((r) => r.contactId), recipients.map((r) => r.channel)],
  );
  const found: Array<Target | undefined> = new Array(recipients.length).fill(undefined);
  for (const row of rows) found[Number(row.i) - 1] = { address: vault.decrypt(row.address_encrypted), status: row.status };
  return found;
}

/** The platform says the person blocked the bot or is gone: treat it as their STOP. */
export async function markStopped(sql: Sql, contactId: string): Promise<void> {
  await sql.query("UPDATE contacts SET status = 'stopped' WHERE id = $1", [contactId]);
}
