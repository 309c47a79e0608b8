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
import { applyEvents, eventWrites, fitsOneStatement } from "./events.ts";
import { gated, GATE, withQueries, type Statement } from "./statement.ts";

/**
 * Conversations in the stakeholder database: each turn is written atomically, in one statement
 * (or, for the rare turns that change a row twice or erase, one transaction). Plain SQL on purpose:
 * this is the path every message takes, and prepared statements cost a fraction of Prisma's queries.
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
    const write = sessionWrite(r, now);
    // Round trips are most of a turn's cost: one statement does it all where it can.
    if (fitsOneStatement(events)) {
      const { writes, contact } = eventWrites(r.contactId, session, events, now);
      const parts = [...write.receipt, ...writes.map((w, i) => [`w${i}`, gated(w, SAVED)] as const), ["contact", gated(contact, SAVED)] as const];
      if (r.outbox.length > 0) parts.push(["outbox", gated(outboxInsert(r), SAVED)]);
      return writeTurn(this.sql, r, withQueries(parts, write.main, write.head));
    }
    await this.sql.transaction(async (tx) => {
      if (events.some((e) => e.type === "erasure.requested")) {
        if (r.delivery && !(await recordReceipt(tx, r.delivery))) throw new DuplicateDeliveryError(r.delivery);
        await eraseContact(tx, r.contactId, "contact");
        return;
      }
      await writeTurn(tx, r, withQueries(write.receipt, write.main, write.head));
      const contact = await applyEvents(tx, r.contactId, session, events, now);
      const outbox = r.outbox.length === 0 ? [] : ([["outbox", gated(outboxInsert(r))]] as const);
      const { text, values } = withQueries(outbox, contact);
      await tx.query(text, values);
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

/** $1…$9 of the session's statements: contact, state, turn, flow, version, status, now, the turn read, the timer. */
function sessionValues(r: TurnRecord, now: Date): unknown[] {
  const session = r.turn.session;
  const status = session.status === "stopped" ? "ended" : session.status === "completed" ? "completed" : session.wait ? "waiting" : "active";
  const timer = r.outbox.find((o) => o.kind === "timer")?.dueAt;
  return [r.contactId, session, session.turn, session.runs[0]?.flow ?? "", String(session.runs[0]?.version ?? ""), status, now, r.previousTurn, timer ? new Date(timer) : null];
}

// True in a turn's statement once its session was written (`ok`, see sessionWrite): every other write is gated on it.
const SAVED = "EXISTS (SELECT 1 FROM ok)";

/**
 * A turn's session write, as WITH queries for one statement: the session, only if it is still at the
 * turn that was read and the delivery has no receipt yet (`ok` has a row if it was written); the
 * delivery's receipt, only then; and the SELECT that tells what happened. Other writes of the turn
 * go between, gated on `ok`.
 */
function sessionWrite(r: TurnRecord, now: Date): { head: Statement; receipt: Array<readonly [string, Statement]>; main: Statement } {
  const d = r.delivery;
  const values = sessionValues(r, now);
  // $10, $11: the delivery, whose receipt must not exist yet.
  const isNew = d ? " AND NOT EXISTS (SELECT 1 FROM processed_messages WHERE channel = $10::channel AND provider_message_id = $11)" : "";
  const head = [`s AS (UPDATE sessions SET ${SESSION_SET} WHERE contact_id = $1 AND turn = $8${isNew} RETURNING 1)`];
  if (r.previousTurn === 0) {
    head.push(`s0 AS (INSERT INTO sessions (id, contact_id, state, turn, flow_id, flow_version, status, updated_at, timer_due_at)
      SELECT gen_random_uuid(), $1, $2, $3, $4, $5, $6::session_status, $7, $9 WHERE NOT EXISTS (SELECT 1 FROM s)${isNew}
      ON CONFLICT (contact_id) DO NOTHING RETURNING 1)`);
    head.push("ok AS (SELECT 1 FROM s UNION ALL SELECT 1 FROM s0)");
  } else head.push("ok AS (SELECT 1 FROM s)");
  if (!d) return { head: { text: head.join(",\n"), values }, receipt: [], main: { text: `SELECT ${SAVED} AS saved, false AS seen`, values: [] } };
  return {
    head: { text: head.join(",\n"), values: [...values, d.channel, d.messageId] },
    // No ON CONFLICT: a receipt written meanwhile by another try of the same delivery fails the whole statement.
    receipt: [["receipt", { text: `INSERT INTO processed_messages (channel, provider_message_id) SELECT $1::channel, $2 WHERE ${SAVED}`, values: [d.channel, d.messageId] }]],
    main: { text: `SELECT ${SAVED} AS saved, EXISTS (SELECT 1 FROM processed_messages WHERE channel = $1::channel AND provider_message_id = $2) AS seen`, values: [d.channel, d.messageId] },
  };
}

/** Run a statement built on `sessionWrite`; a session not written is a repeated delivery or a stale turn. */
async function writeTurn(on: SqlTx, r: TurnRecord, statement: Statement): Promise<void> {
  let row: { saved: boolean; seen: boolean } | undefined;
  try {
    row = (await on.query<{ saved: boolean; seen: boolean }>(statement.text, statement.values)).rows[0];
  } catch (e) {
    // Another try of the same delivery wrote its receipt after this one looked: load again, and see it.
    if (r.delivery && isUniqueViolation(e) && (e as { table?: unknown }).table === "processed_messages") throw new StaleTurnError(r.contactId, r.previousTurn);
    throw e;
  }
  if (row?.saved) return;
  if (r.delivery && row?.seen) throw new DuplicateDeliveryError(r.delivery);
  throw new StaleTurnError(r.contactId, r.previousTurn);
}

/** The turn's outbox rows (ids are the queue job ids; the key is the turn's). */
function outboxInsert(r: TurnRecord): Statement {
  const key = turnKey(r.contactId, r.turn.session.turn, r.delivery);
  const values: unknown[] = [];
  const rows = r.outbox.map((o) => {
    values.push(o.id, key, r.contactId, o.kind, o.payload, o.dueAt ? new Date(o.dueAt) : null);
    const n = values.length;
    return `($${n - 5}, $${n - 4}, $${n - 3}::uuid, $${n - 2}::outbox_kind, $${n - 1}::jsonb, $${n}::timestamptz)`;
  });
  return { text: `INSERT INTO outbox (id, turn_key, contact_id, kind, payload, due_at) SELECT * FROM (VALUES ${rows.join(", ")}) AS v WHERE true ${GATE}`, values };
}
