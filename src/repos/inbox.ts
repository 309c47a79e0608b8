// What makes the in-process queues durable (no REDIS_URL): the inbox of accepted messages, the marks
// of outbox items whose jobs are done, and what the relay at start reads back. Jobs that need one of
// these statements at the same moment share it (group commit), so accepting stays cheap under load.
import { RowBatcher } from "../batch/row-batcher.ts";
import type { ChannelName } from "../channel/contract.ts";
import type { OutboxItem } from "../jobs/outbox.ts";
import type { Log } from "../log/log.ts";
import { parseOutbox, type OutboxRead } from "./outbox-rows.ts";
import type { Sql } from "../db/index.ts";

/** An accepted message as the inbox keeps it until its turn is stored. */
export interface InboxEntry {
  channel: ChannelName;
  /** The hashed provider message id. */
  messageId: string;
  /** The keyed hash of the address (`vault.hashAddress`): the shard, and what an erasure deletes by. */
  addressHash: string;
  /** The inbound job as queued. */
  payload: Record<string, unknown>;
}

/** A message that was accepted and whose turn is not stored yet, as the relay finds it. */
export interface PendingMessage extends InboxEntry {
  /** Its turn is stored after all (a receipt exists): nothing to do but delete it. */
  stored: boolean;
}

/** A timer to arm again at start: the session waits, and the timer due at `dueAt` was set by `turn`. */
export interface PendingTimer {
  contactId: string;
  channel: ChannelName;
  addressHash: string;
  turn: number;
  dueAt: Date;
}

/** The inbox table: accepted messages, durable before the channel acknowledges them. */
export class Inbox {
  private readonly adds: RowBatcher<InboxEntry>;
  private readonly consumes: RowBatcher<{ channel: ChannelName; messageId: string }>;

  constructor(private readonly sql: Sql) {
    // A message whose turn is stored already (a platform's redelivery days later) is not kept again.
    this.adds = new RowBatcher(async (rows) => {
      await sql.query(
        `INSERT INTO inbox (channel, message_id, address_hash, payload)
         SELECT v.channel, v.message_id, v.address_hash, v.payload
         FROM unnest($1::channel[], $2::text[], $3::text[], $4::jsonb[]) AS v(channel, message_id, address_hash, payload)
         WHERE NOT EXISTS (SELECT 1 FROM processed_messages p WHERE p.channel = v.channel AND p.provider_message_id = v.message_id)
         ON CONFLICT (channel, message_id) DO NOTHING`,
        [rows.map((r) => r.channel), rows.map((r) => r.messageId), rows.map((r) => r.addressHash), rows.map((r) => JSON.stringify(r.payload))],
      );
    });
    this.consumes = new RowBatcher(async (rows) => {
      await sql.query("DELETE FROM inbox i USING unnest($1::channel[], $2::text[]) AS v(channel, message_id) WHERE i.channel = v.channel AND i.message_id = v.message_id", [
        rows.map((r) => r.channel),
        rows.map((r) => r.messageId),
      ]);
    });
  }

  /** Keep an accepted message; resolves once it is committed. */
  add(entry: InboxEntry): Promise<void> {
    return this.adds.add(entry);
  }

  /**
   * Forget a message whose job ended without storing a turn (it changed nothing, or failed for good).
   * A stored turn deletes its message itself, in the same statement (turn-statement.ts).
   */
  consume(channel: ChannelName, messageId: string): Promise<void> {
    return this.consumes.add({ channel, messageId });
  }

  /** Every message still in the inbox, in arrival order. */
  async pending(): Promise<PendingMessage[]> {
    const { rows } = await this.sql.query<{ channel: ChannelName; message_id: string; address_hash: string; payload: Record<string, unknown>; stored: boolean }>(
      `SELECT i.channel, i.message_id, i.address_hash, i.payload,
         EXISTS (SELECT 1 FROM processed_messages p WHERE p.channel = i.channel AND p.provider_message_id = i.message_id) AS stored
       FROM inbox i ORDER BY i.seq`,
    );
    return rows.map((r) => ({ channel: r.channel, messageId: r.message_id, addressHash: r.address_hash, payload: r.payload, stored: r.stored }));
  }
}

/** Marks outbox items whose jobs are done, so that the relay at start queues only the others. */
export class OutboxMarks {
  private readonly marks: RowBatcher<string>;

  constructor(private readonly sql: Sql) {
    this.marks = new RowBatcher(async (ids) => {
      await sql.query("UPDATE outbox SET done_at = now() WHERE id = ANY($1::text[]) AND done_at IS NULL", [ids]);
    });
  }

  /** The job of this outbox item (its id) is done: sent, ingested, or failed for good. */
  done(id: string): Promise<void> {
    return this.marks.add(id);
  }

  /** Outbox items (timers excepted: the sessions hold those) whose jobs were never done, oldest first; one unreadable is logged and left. */
  async undone(log: Log): Promise<OutboxItem[]> {
    const { rows } = await this.sql.query<OutboxRead>("SELECT id, kind, payload, due_at FROM outbox WHERE done_at IS NULL AND kind <> 'timer' ORDER BY created_at, id");
    return parseOutbox(rows, log);
  }
}

/**
 * The timers to arm again at start: of every waiting session, the timer that may still do something —
 * set by its current turn (due or not: a fired timer whose timeout was never stored fires again), or
 * due after its last turn (still pending; when it fires it re-arms for the current turn, as ever).
 */
export async function pendingTimers(sql: Sql): Promise<PendingTimer[]> {
  const { rows } = await sql.query<{ contact_id: string; channel: ChannelName; address_hash: string; turn: number; due_at: Date }>(
    `SELECT s.contact_id, ci.channel, ci.address_hash, COALESCE(s.timer_turn, s.turn) AS turn, s.timer_due_at AS due_at
     FROM sessions s
     JOIN LATERAL (SELECT channel, address_hash FROM channel_identities WHERE contact_id = s.contact_id ORDER BY created_at DESC LIMIT 1) ci ON true
     WHERE s.status = 'waiting' AND s.timer_due_at IS NOT NULL AND (s.timer_turn = s.turn OR s.timer_due_at > s.updated_at)`,
  );
  return rows.map((r) => ({ contactId: r.contact_id, channel: r.channel, addressHash: r.address_hash, turn: r.turn, dueAt: r.due_at }));
}
