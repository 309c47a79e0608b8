import type { IdentityVault } from "../db/crypto.ts";
import { isUniqueViolation, type Sql, type SqlTx } from "../db/sql.ts";
import { newSession, Session } from "../engine/index.ts";
import {
  DuplicateDeliveryError,
  isKnownContact,
  StaleTurnError,
  turnKey,
  type Address,
  type ConversationStore,
  type Delivery,
  type OutboxItem,
  type StoredSession,
  type TurnRecord,
  type Who,
} from "../conversation/store.ts";
import { eraseContact } from "./erase.ts";
import { applyEvents, type Statement } from "./events.ts";

/**
 * Conversations in the stakeholder database: one transaction per turn. Plain SQL on purpose: this is
 * the path every message takes, and a handful of prepared statements cost a fraction of Prisma's.
 */
export class DatabaseConversationStore implements ConversationStore {
  constructor(
    private readonly sql: Sql,
    private readonly vault: IdentityVault,
    private readonly now: () => Date = () => new Date(),
  ) {}

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
    const addressHash = this.vault.hashAddress(who.channel, who.id);
    const found = await this.find(who.channel, addressHash);
    if (found) return found;
    try {
      const { rows } = await this.sql.query<{ contact_id: string }>(
        `WITH c AS (INSERT INTO contacts (id, language) VALUES (gen_random_uuid(), $1) RETURNING id)
         INSERT INTO channel_identities (id, contact_id, channel, address_hash, address_encrypted)
         SELECT gen_random_uuid(), c.id, $2::channel, $3, $4 FROM c RETURNING contact_id`,
        [language, who.channel, addressHash, Buffer.from(this.vault.encrypt(who.id))],
      );
      return { contactId: (rows[0] as { contact_id: string }).contact_id, session: newSession(language) };
    } catch (e) {
      // The same person's other message created the contact a moment ago: use it.
      if (!isUniqueViolation(e)) throw e;
      const again = await this.find(who.channel, addressHash);
      if (!again) throw e;
      return again;
    }
  }

  async saveTurn(r: TurnRecord): Promise<void> {
    const { session, events } = r.turn;
    const now = this.now();
    await this.sql.transaction(async (tx) => {
      if (events.some((e) => e.type === "erasure.requested")) {
        if (r.delivery && !(await recordReceipt(tx, r.delivery))) throw new DuplicateDeliveryError(r.delivery);
        await eraseContact(tx, r.contactId, "contact");
        return;
      }
      // Round trips are most of a turn's cost: the receipt goes with the session, the outbox with the contact.
      await writeSession(tx, r, session, now);
      const contact = await applyEvents(tx, r.contactId, session, events, now);
      await tx.query(...withOutbox(contact, r.outbox, turnKey(r.contactId, session.turn, r.delivery), r.contactId));
    });
  }

  async replay(delivery: Delivery): Promise<OutboxItem[] | undefined> {
    const { rows } = await this.sql.query<{ seen: boolean; id: string | null; kind: OutboxItem["kind"]; payload: Record<string, unknown>; due_at: Date | null }>(
      `SELECT true AS seen, o.id, o.kind, o.payload, o.due_at
       FROM processed_messages p LEFT JOIN outbox o ON o.turn_key = $3
       WHERE p.channel = $1::channel AND p.provider_message_id = $2 ORDER BY o.id`,
      [delivery.channel, delivery.messageId, turnKey("", 0, delivery)],
    );
    if (rows.length === 0) return undefined;
    return rows
      .filter((row) => row.id !== null)
      .map((row) => ({ id: row.id as string, kind: row.kind, payload: row.payload, ...(row.due_at ? { dueAt: row.due_at.toISOString() } : {}) }));
  }

  private async find(channel: Address["channel"], addressHash: string): Promise<StoredSession | undefined> {
    const { rows } = await this.sql.query<SessionRow>(
      `SELECT ci.contact_id, c.language, s.state, s.turn, s.timer_due_at
       FROM channel_identities ci JOIN contacts c ON c.id = ci.contact_id LEFT JOIN sessions s ON s.contact_id = ci.contact_id
       WHERE ci.channel = $1::channel AND ci.address_hash = $2`,
      [channel, addressHash],
    );
    return rows[0] ? stored(rows[0]) : undefined;
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

async function recordReceipt(tx: SqlTx, delivery: Delivery): Promise<boolean> {
  const receipt = await tx.query("INSERT INTO processed_messages (channel, provider_message_id) VALUES ($1::channel, $2) ON CONFLICT DO NOTHING", [
    delivery.channel,
    delivery.messageId,
  ]);
  return receipt.rowCount === 1;
}

// $9: when the timer this turn queues fires, or null; the latest due time is kept (see `timer_due_at`).
const SESSION_SET =
  "state = $2, turn = $3, flow_id = $4, flow_version = $5, status = $6::session_status, updated_at = $7, timer_due_at = GREATEST(sessions.timer_due_at, $9)";

/**
 * The session, only if its turn is still the one the turn was computed from; with the delivery's
 * receipt first, in the same statement, when the input came from a channel.
 */
async function writeSession(tx: SqlTx, r: TurnRecord, session: Session, now: Date): Promise<void> {
  const status = session.status === "stopped" ? "ended" : session.status === "completed" ? "completed" : session.wait ? "waiting" : "active";
  const timer = r.outbox.find((o) => o.kind === "timer")?.dueAt;
  const values = [r.contactId, session, session.turn, session.runs[0]?.flow ?? "", String(session.runs[0]?.version ?? ""), status, now, r.previousTurn, timer ? new Date(timer) : null];
  let updated: boolean;
  if (r.delivery) {
    const { rows } = await tx.query<{ fresh: boolean; updated: boolean }>(
      `WITH receipt AS (INSERT INTO processed_messages (channel, provider_message_id) VALUES ($10::channel, $11) ON CONFLICT DO NOTHING RETURNING 1),
       updated AS (UPDATE sessions SET ${SESSION_SET} WHERE contact_id = $1 AND turn = $8 AND EXISTS (SELECT 1 FROM receipt) RETURNING 1)
       SELECT EXISTS (SELECT 1 FROM receipt) AS fresh, EXISTS (SELECT 1 FROM updated) AS updated`,
      [...values, r.delivery.channel, r.delivery.messageId],
    );
    if (!rows[0]?.fresh) throw new DuplicateDeliveryError(r.delivery);
    updated = rows[0].updated;
  } else {
    updated = (await tx.query(`UPDATE sessions SET ${SESSION_SET} WHERE contact_id = $1 AND turn = $8`, values)).rowCount === 1;
  }
  if (updated) return;
  if (r.previousTurn === 0) {
    const inserted = await tx.query(
      `INSERT INTO sessions (id, contact_id, state, turn, flow_id, flow_version, status, updated_at, timer_due_at)
       VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6::session_status, $7, $8) ON CONFLICT (contact_id) DO NOTHING`,
      [...values.slice(0, 7), values[8]],
    );
    if (inserted.rowCount === 1) return;
  }
  throw new StaleTurnError(r.contactId, r.previousTurn);
}

/** The contact's update, with the turn's outbox inserted by the same statement. */
function withOutbox(contact: Statement, outbox: readonly OutboxItem[], key: string, contactId: string): [string, unknown[]] {
  if (outbox.length === 0) return [contact.text, contact.values];
  const values = [...contact.values];
  const rows = outbox.map((o) => {
    values.push(o.id, key, contactId, o.kind, o.payload, o.dueAt ? new Date(o.dueAt) : null);
    const n = values.length;
    return `($${n - 5}, $${n - 4}, $${n - 3}, $${n - 2}::outbox_kind, $${n - 1}, $${n})`;
  });
  return [`WITH outbox AS (INSERT INTO outbox (id, turn_key, contact_id, kind, payload, due_at) VALUES ${rows.join(", ")}) ${contact.text}`, values];
}
