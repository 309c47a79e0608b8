import { RowBatcher } from "../batch/row-batcher.ts";
import { isUniqueViolation, type IdentityVault, type Sql } from "../db/index.ts";
import { newSession, Session } from "../engine/index.ts";
import {
  DuplicateReceiptError,
  isKnownContact,
  StaleTurnError,
  turnKey,
  type Address,
  type ConversationStore,
  type Receipt,
  type StoredSession,
  type TurnRecord,
  type Who,
} from "../conversation/store.ts";
import { eraseContact } from "./erase.ts";
import { erasesContact } from "../effects/erasure-requested.ts";
import { silentLog, type Log } from "../log/log.ts";
import { parseOutbox } from "./outbox-rows.ts";
import { turnParts, type TurnPart } from "./turn-rows.ts";
import { writeTurnParts, type TurnOutcome } from "./turn-statement.ts";
import type { OutboxItem } from "../jobs/outbox.ts";

/** How a DatabaseConversationStore works. */
export interface StoreOptions {
  now?: () => Date;
  /** Outbox items are written not done, for the relay at start (in-process queues, the default); false with Redis. */
  pendingOutbox?: boolean;
  /** Where an outbox row this version can't read is said (by id). */
  log?: Log;
}

/**
 * Conversations in the stakeholder database. Plain SQL on purpose: this is the path every message
 * takes. Turns of different people that are saved at the same moment are written together by one
 * statement (and sessions looked up together), each atomically and only if its session is still
 * at the turn it was read at; the rare turn that changes a row twice, or erases, takes a transaction.
 */
export class DatabaseConversationStore implements ConversationStore {
  private readonly turns: RowBatcher<TurnPart, TurnOutcome>;
  private readonly lookups: RowBatcher<AddressKey, StoredSession | undefined>;

  private readonly now: () => Date;
  private readonly pendingOutbox: boolean;
  private readonly log: Log;

  constructor(
    private readonly sql: Sql,
    private readonly vault: IdentityVault,
    options: StoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.pendingOutbox = options.pendingOutbox ?? true;
    this.log = options.log ?? silentLog;
    const pendingOutbox = this.pendingOutbox;
    this.turns = new RowBatcher((parts) => writeTurnParts(sql, parts, pendingOutbox));
    this.lookups = new RowBatcher((keys) => findSessions(sql, keys));
  }

  open(who: Address, language: string): Promise<StoredSession>;
  open(who: Who, language: string): Promise<StoredSession | undefined>;
  async open(who: Who, language: string): Promise<StoredSession | undefined> {
    if (isKnownContact(who)) {
      const { rows } = await this.sql.query<SessionRow>(
        "SELECT c.id AS contact_id, c.language, s.state, s.turn, s.timer_due_at FROM contacts c LEFT JOIN sessions s ON s.contact_id = c.id WHERE c.id = $1",
        [who.contactId],
      );
      return rows[0] ? stored(rows[0]) : undefined;
    }
    const key = { channel: who.channel, hash: this.vault.hashAddress(who.channel, who.id) };
    const found = await this.lookups.add(key);
    if (found) return found;
    try {
      const { rows } = await this.sql.query<{ contact_id: string }>(
        `WITH c AS (INSERT INTO contacts (id, language) VALUES (gen_random_uuid(), $1) RETURNING id)
         INSERT INTO channel_identities (id, contact_id, channel, address_hash, address_encrypted)
         SELECT gen_random_uuid(), c.id, $2::channel, $3, $4 FROM c RETURNING contact_id`,
        [language, who.channel, key.hash, Buffer.from(this.vault.encrypt(who.id))],
      );
      return { contactId: (rows[0] as { contact_id: string }).contact_id, session: newSession(language) };
    } catch (e) {
      // The same person's other message created the contact a moment ago: use it.
      if (!isUniqueViolation(e)) throw e;
      const again = (await findSessions(this.sql, [key]))[0];
      if (!again) throw e;
      return again;
    }
  }

  async saveTurn(r: TurnRecord): Promise<void> {
    const now = this.now();
    try {
      if (erasesContact(r.turn.events)) return await this.erase(r);
      const [first, ...rest] = turnParts(r, turnKey(r.contactId, r.turn.session.turn, r.receipt), now) as [TurnPart, ...TurnPart[]];
      if (rest.length === 0) return check(r, await this.turns.add(first));
      await this.sql.transaction(async (tx) => {
        check(r, (await writeTurnParts(tx, [first], this.pendingOutbox))[0] as TurnOutcome);
        for (const p of rest) await writeTurnParts(tx, [p], this.pendingOutbox);
      });
    } catch (e) {
      // Another try of the same message wrote its receipt after this one looked: load again, and see it.
      if (r.receipt && isUniqueViolation(e) && (e as { table?: unknown }).table === "processed_messages") throw new StaleTurnError(r.contactId, r.previousTurn);
      throw e;
    }
  }

  async replay(receipt: Receipt): Promise<OutboxItem[] | undefined> {
    const { rows } = await this.sql.query<{ seen: boolean; id: string | null; kind: OutboxItem["kind"]; payload: unknown; due_at: Date | null }>(
      `SELECT true AS seen, o.id, o.kind, o.payload, o.due_at
       FROM processed_messages p LEFT JOIN outbox o ON o.turn_key = $3 AND ($4::boolean OR o.done_at IS NULL)
       WHERE p.channel = $1::channel AND p.provider_message_id = $2 ORDER BY o.id`,
      // With the in-process queues an item is marked done when its job ends, and the queues remember
      // only recent job ids: hand back only what is not done, else a late repeat would send it again.
      // With Redis every item is written done, and the queues' 24 h of job ids dedupe the repeat.
      [receipt.channel, receipt.messageId, turnKey("", 0, receipt), !this.pendingOutbox],
    );
    if (rows.length === 0) return undefined;
    return parseOutbox(rows.flatMap((row) => (row.id === null ? [] : [{ ...row, id: row.id }])), this.log);
  }

  private async erase(r: TurnRecord): Promise<void> {
    await this.sql.transaction(async (tx) => {
      if (r.receipt) {
        const receipt = await tx.query("INSERT INTO processed_messages (channel, provider_message_id) VALUES ($1::channel, $2) ON CONFLICT DO NOTHING", [
          r.receipt.channel,
          r.receipt.messageId,
        ]);
        if (receipt.rowCount !== 1) throw new DuplicateReceiptError(r.receipt);
      }
      // The DELETE message itself leaves the inbox with the turn (eraseContact takes the person's others).
      if (r.receipt) await tx.query("DELETE FROM inbox WHERE channel = $1::channel AND message_id = $2", [r.receipt.channel, r.receipt.messageId]);
      await eraseContact(tx, r.contactId, "contact");
    });
  }
}

interface SessionRow {
  contact_id: string;
  language: string;
  state: unknown;
  turn: number | null;
  timer_due_at: Date | null;
}

function stored(row: SessionRow): StoredSession {
  // An unreadable session (a format from another version) starts afresh, at the stored turn.
  const parsed = row.state === null || row.state === undefined ? undefined : Session.safeParse(row.state);
  const session = parsed?.success ? parsed.data : { ...newSession(row.language), turn: row.turn ?? 0 };
  return { contactId: row.contact_id, session, ...(row.timer_due_at ? { timerDueAt: row.timer_due_at.toISOString() } : {}) };
}

/** A turn that wrote nothing was a repeated delivery or came after somebody else's turn. */
function check(r: TurnRecord, outcome: TurnOutcome): void {
  if (outcome.saved) return;
  if (r.receipt && outcome.seen) throw new DuplicateReceiptError(r.receipt);
  throw new StaleTurnError(r.contactId, r.previousTurn);
}

/** A person as the database finds them: the channel and the keyed hash of the address. */
interface AddressKey {
  channel: Address["channel"];
  hash: string;
}

/** The sessions of any number of addresses in one statement, in order (undefined: no such contact yet). */
async function findSessions(sql: Sql, keys: readonly AddressKey[]): Promise<Array<StoredSession | undefined>> {
  const { rows } = await sql.query<SessionRow & { i: string }>(
    `SELECT k.i, ci.contact_id, c.language, s.state, s.turn, s.timer_due_at
     FROM unnest($1::channel[], $2::text[]) WITH ORDINALITY AS k(channel, address_hash, i)
     JOIN channel_identities ci ON ci.channel = k.channel AND ci.address_hash = k.address_hash
     JOIN contacts c ON c.id = ci.contact_id LEFT JOIN sessions s ON s.contact_id = ci.contact_id`,
    [keys.map((k) => k.channel), keys.map((k) => k.hash)],
  );
  const found: Array<StoredSession | undefined> = new Array(keys.length).fill(undefined);
  for (const row of rows) found[Number(row.i) - 1] = stored(row);
  return found;
}
