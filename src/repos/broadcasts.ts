// Broadcasts and their deliveries. A delivery row is each person's copy: the ledger that makes it go
// out once, whatever the queues do (a job run twice, a worker killed, Redis restarted). Its life:
// pending → queued (handed to the queues, `release` counts how often) → [started: a flow's turn ran] →
// sending (a send call under way) → sent | failed | blocked | skipped. Every step is a conditional
// update, so two processes never take the same step, and a crash leaves a state that says what to do.
import type { ChannelName } from "../channel/contract.ts";
import type { Sql, SqlTx } from "../db/index.ts";

export type BroadcastKind = "announcement" | "meeting" | "flow" | "meeting_reminder" | "meeting_moved" | "meeting_cancelled" | "meeting_promoted" | "feedback_reply";
export type BroadcastStatus = "draft" | "scheduled" | "sending" | "paused" | "sent" | "cancelled";
export type DeliveryState = "pending" | "queued" | "started" | "sending" | "sent" | "failed" | "blocked" | "skipped" | "skipped_opted_out";
/** Kinds that are a meeting's own notices, for the people who answered it. */
export const NOTICE_KINDS: readonly BroadcastKind[] = ["meeting_reminder", "meeting_moved", "meeting_cancelled", "meeting_promoted"];

/**
 * The contact preferences a kind may reach: a meeting's notices and a reply to one's own feedback also
 * people who asked for direct messages only.
 */
export function preferencesFor(kind: BroadcastKind): readonly string[] {
  return NOTICE_KINDS.includes(kind) || kind === "feedback_reply" ? ["all", "direct_only"] : ["all"];
}

/** Why a delivery was not sent. */
export type SkipReason = "stopped" | "erased" | "expired" | "cancelled";

/** Who a broadcast goes to, as the segment query reads it (src/broadcasts/segment.ts checks it). */
export interface SegmentQuery {
  territories: readonly string[];
  languages: readonly string[];
  channels: readonly ChannelName[];
  seenWithinDays?: number | undefined;
  /** People who finished a flow, or left it half-way (started, never finished). */
  flow?: { id: string; state: "finished" | "left" } | undefined;
  /** A meeting's notices: people who gave one of `answers` to it (with this reminder preference; moved up at this moment). */
  rsvp?: { eventId: string; answers: readonly string[]; reminder?: "day_before" | "hour_before" | undefined; promotedAt?: Date | undefined } | undefined;
  /** Only these people (a reply to one person's feedback). */
  contacts?: readonly string[] | undefined;
}

/** A broadcast row. */
export interface BroadcastRow {
  id: string;
  kind: BroadcastKind;
  messages: Record<string, string>;
  base_language: string;
  event_id: string | null;
  flow_id: string | null;
  segment: unknown;
  scheduled_at: Date | null;
  expires_at: Date | null;
  quiet_hours: boolean;
  status: BroadcastStatus;
  recipients: number | null;
  created_by: string;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

/** What a new broadcast is. */
export interface NewBroadcastRow {
  kind: BroadcastKind;
  messages: Record<string, string>;
  baseLanguage: string;
  eventId: string | null;
  flowId: string | null;
  segment: unknown;
  scheduledAt: Date | null;
  expiresAt: Date | null;
  quietHours: boolean;
  status: "draft" | "scheduled";
  noticeKey?: string;
  createdBy: string;
}

const COLUMNS = `id, kind, messages, base_language, event_id, flow_id, segment, scheduled_at, expires_at, quiet_hours, status, recipients, created_by, created_at, started_at, finished_at`;

/** Write a new broadcast; returns its id (for a notice already made, the existing one's id is undefined). */
export async function insertBroadcast(sql: Sql | SqlTx, b: NewBroadcastRow, now: Date): Promise<string | undefined> {
  const { rows } = await sql.query<{ id: string }>(
    `INSERT INTO broadcasts (id, kind, messages, base_language, event_id, flow_id, segment, scheduled_at, expires_at, quiet_hours, status, notice_key, created_by, created_at, updated_at)
     VALUES (gen_random_uuid(), $1::broadcast_kind, $2, $3, $4, $5, $6, $7, $8, $9, $10::broadcast_status, $11, $12, $13, $13)
     ON CONFLICT (notice_key) DO NOTHING RETURNING id`,
    [b.kind, JSON.stringify(b.messages), b.baseLanguage, b.eventId, b.flowId, JSON.stringify(b.segment), b.scheduledAt, b.expiresAt, b.quietHours, b.status, b.noticeKey ?? null, b.createdBy, now],
  );
  return rows[0]?.id;
}

/** One broadcast, or undefined. */
export async function findBroadcast(sql: Sql, id: string): Promise<BroadcastRow | undefined> {
  const { rows } = await sql.query<BroadcastRow>(`SELECT ${COLUMNS} FROM broadcasts WHERE id = $1`, [id]);
  return rows[0];
}

/** Broadcasts, newest first: the unfinished ones and the last `recent` finished. */
export async function listBroadcastRows(sql: Sql, recent: number): Promise<BroadcastRow[]> {
  const { rows } = await sql.query<BroadcastRow>(
    `(SELECT ${COLUMNS} FROM broadcasts WHERE status IN ('draft', 'scheduled', 'sending', 'paused'))
     UNION ALL (SELECT ${COLUMNS} FROM broadcasts WHERE status IN ('sent', 'cancelled') ORDER BY created_at DESC LIMIT $1)
     ORDER BY created_at DESC`,
    [recent],
  );
  return rows;
}

/** Move a broadcast from one of `from` to `to`; the status it had, or undefined if it had none of them. */
export async function changeBroadcastStatus(sql: Sql, id: string, from: readonly BroadcastStatus[], to: BroadcastStatus, now: Date): Promise<BroadcastStatus | undefined> {
  return sql.transaction(async (tx) => {
    const { rows } = await tx.query<{ status: BroadcastStatus }>("SELECT status FROM broadcasts WHERE id = $1 FOR UPDATE", [id]);
    const was = rows[0]?.status;
    if (!was || !from.includes(was)) return undefined;
    await tx.query(
      `UPDATE broadcasts SET status = $2::broadcast_status, updated_at = $3,
         scheduled_at = CASE WHEN $2 = 'scheduled' THEN COALESCE(scheduled_at, $3) ELSE scheduled_at END,
         finished_at = CASE WHEN $2 IN ('cancelled', 'sent') THEN $3 ELSE finished_at END
       WHERE id = $1`,
      [id, to, now],
    );
    // Cancelled: what was never handed to the queues is settled now; what is queued is settled when its job runs.
    if (to === "cancelled") await tx.query("UPDATE deliveries SET status = 'skipped', skip_reason = 'cancelled', updated_at = $2 WHERE broadcast_id = $1 AND status = 'pending'", [id, now]);
    return was;
  });
}

// ─── Who gets it ───────────────────────────────────────────────────────────────────────────────

/**
 * The people of a segment: active, consented, with the contact preference the kind allows, reached on
 * one channel each (the identity they wrote from last). `$1…$n` parameters after `offset`.
 */
function segmentWhere(s: SegmentQuery, preferences: readonly string[], now: Date, offset: number): { sql: string; params: unknown[] } {
  const params: unknown[] = [[...preferences], [...s.territories], [...s.languages], [...s.channels]];
  const p = (i: number) => `$${offset + i}`;
  const where = [
    "c.status = 'active'",
    "c.consent_version IS NOT NULL",
    `c.contact_preference::text = ANY(${p(1)}::text[])`,
    `(cardinality(${p(2)}::text[]) = 0 OR c.territory_id = ANY(${p(2)}::text[]))`,
    `(cardinality(${p(3)}::text[]) = 0 OR c.language = ANY(${p(3)}::text[]))`,
  ];
  if (s.seenWithinDays !== undefined) {
    params.push(new Date(now.getTime() - s.seenWithinDays * 86_400_000));
    where.push(`c.last_seen_at >= ${p(params.length)}`);
  }
  if (s.flow) {
    params.push(s.flow.id);
    const flow = p(params.length);
    const finished = `EXISTS (SELECT 1 FROM survey_runs r WHERE r.contact_id = c.id AND r.flow_id = ${flow} AND r.status = 'completed')`;
    const started = `EXISTS (SELECT 1 FROM survey_runs r WHERE r.contact_id = c.id AND r.flow_id = ${flow} AND r.status <> 'completed')`;
    where.push(s.flow.state === "finished" ? finished : `${started} AND NOT ${finished}`);
  }
  if (s.contacts) {
    params.push([...s.contacts]);
    where.push(`c.id = ANY(${p(params.length)}::uuid[])`);
  }
  if (s.rsvp) {
    params.push(s.rsvp.eventId, [...s.rsvp.answers], s.rsvp.reminder ?? null, s.rsvp.promotedAt ?? null);
    const [e, a, r, promoted] = [p(params.length - 3), p(params.length - 2), p(params.length - 1), p(params.length)];
    where.push(
      `EXISTS (SELECT 1 FROM rsvps v WHERE v.contact_id = c.id AND v.event_id = ${e}::uuid AND v.answer::text = ANY(${a}::text[])
         AND (${r}::text IS NULL OR v.reminder::text = ${r}::text) AND (${promoted}::timestamptz IS NULL OR v.promoted_at = ${promoted}::timestamptz))`,
    );
  }
  const identity = `JOIN LATERAL (SELECT ci.channel FROM channel_identities ci WHERE ci.contact_id = c.id AND (cardinality(${p(4)}::text[]) = 0 OR ci.channel::text = ANY(${p(4)}::text[]))
     ORDER BY ci.created_at DESC LIMIT 1) ci ON true`;
  return { sql: `FROM contacts c ${identity} WHERE ${where.join(" AND ")}`, params };
}

/** How many people a segment reaches, by language and channel. */
export async function segmentCounts(sql: Sql, s: SegmentQuery, preferences: readonly string[], now: Date): Promise<Array<{ language: string; channel: ChannelName; people: number }>> {
  const q = segmentWhere(s, preferences, now, 0);
  const { rows } = await sql.query<{ language: string; channel: ChannelName; people: string }>(
    `SELECT c.language, ci.channel, count(*) AS people ${q.sql} GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2`,
    q.params,
  );
  return rows.map((r) => ({ language: r.language, channel: r.channel, people: Number(r.people) }));
}

/**
 * Start the due broadcasts: for each (one process takes each), choose its people now, as pending
 * deliveries, and mark it sending. Returns the ids started.
 */
export async function startDueBroadcasts(
  sql: Sql,
  now: Date,
  segmentOf: (b: BroadcastRow) => { query: SegmentQuery; preferences: readonly string[] },
  unreadable: (id: string, e: unknown) => void = () => undefined,
): Promise<string[]> {
  const started: string[] = [];
  for (;;) {
    const id = await sql.transaction(async (tx) => {
      const { rows } = await tx.query<BroadcastRow>(
        `SELECT ${COLUMNS} FROM broadcasts WHERE status = 'scheduled' AND (scheduled_at IS NULL OR scheduled_at <= $1)
         ORDER BY scheduled_at NULLS FIRST, created_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
        [now],
      );
      const b = rows[0];
      if (!b) return undefined;
      let segment: ReturnType<typeof segmentOf>;
      try {
        segment = segmentOf(b);
      } catch (e) {
        // A segment this version can't read (written by hand, or by a newer version) would stop every
        // broadcast behind it: this one is cancelled, and said so.
        await tx.query("UPDATE broadcasts SET status = 'cancelled', finished_at = $2, updated_at = $2 WHERE id = $1", [b.id, now]);
        unreadable(b.id, e);
        return { id: b.id, started: false };
      }
      const { query, preferences } = segment;
      const q = segmentWhere(query, preferences, now, 2);
      const inserted = await tx.query(
        `INSERT INTO deliveries (id, broadcast_id, contact_id, channel, status, created_at, updated_at)
         SELECT gen_random_uuid(), $1, c.id, ci.channel, 'pending', $2, $2 ${q.sql} ON CONFLICT (broadcast_id, contact_id) DO NOTHING`,
        [b.id, now, ...q.params],
      );
      const expired = b.expires_at !== null && b.expires_at <= now;
      if (expired) await tx.query("UPDATE deliveries SET status = 'skipped', skip_reason = 'expired', updated_at = $2 WHERE broadcast_id = $1 AND status = 'pending'", [b.id, now]);
      await tx.query("UPDATE broadcasts SET status = 'sending', recipients = $2, started_at = $3, updated_at = $3 WHERE id = $1", [b.id, inserted.rowCount ?? 0, now]);
      return { id: b.id, started: true };
    });
    if (!id) return started;
    if (id.started) started.push(id.id);
  }
}

// ─── Handing deliveries to the queues ──────────────────────────────────────────────────────────

/** A delivery handed to the queues, with what its job needs. */
export interface ReleasedDelivery {
  id: string;
  release: number;
  broadcast_id: string;
  kind: BroadcastKind;
  contact_id: string;
  channel: ChannelName;
  address_hash: string;
  language: string;
}

/** Quiet hours as wall-clock times ("21:00", "08:00"); a window past midnight wraps. */
export interface QuietWindow {
  from: string;
  to: string;
}

/**
 * Hand up to `limit` pending deliveries on `channel` of sending broadcasts to the queues: marked
 * queued, their release counted. Those whose person's territory is in quiet hours now wait (when
 * their broadcast keeps quiet hours). One process at a time (an advisory lock per channel): the
 * others find the lock taken and release nothing this round.
 */
export async function releaseDeliveries(sql: Sql, o: { channel: ChannelName; limit: number; now: Date; quiet: QuietWindow | null; defaultZone: string }): Promise<ReleasedDelivery[]> {
  if (o.limit <= 0) return [];
  return sql.transaction(async (tx) => {
    const { rows: lock } = await tx.query<{ ok: boolean }>("SELECT pg_try_advisory_xact_lock(hashtext('inloco.release.' || $1)) AS ok", [o.channel]);
    if (!lock[0]?.ok) return [];
    const local = `(($3::timestamptz AT TIME ZONE COALESCE(t.time_zone, $4))::time)`;
    const quiet = o.quiet
      ? o.quiet.from > o.quiet.to
        ? `(${local} >= $5::time OR ${local} < $6::time)`
        : `(${local} >= $5::time AND ${local} < $6::time)`
      : "false";
    const { rows } = await tx.query<ReleasedDelivery>(
      `WITH picked AS (
         SELECT d.id FROM deliveries d
         JOIN broadcasts b ON b.id = d.broadcast_id AND b.status = 'sending'
         JOIN contacts c ON c.id = d.contact_id
         LEFT JOIN territories t ON t.id = c.territory_id
         WHERE d.status = 'pending' AND d.channel = $1::channel AND NOT (b.quiet_hours AND ${quiet})
         ORDER BY b.created_at, d.created_at, d.id LIMIT $2 FOR UPDATE OF d SKIP LOCKED)
       UPDATE deliveries d SET status = 'queued', release = d.release + 1, released_at = $3, updated_at = $3
       FROM picked, broadcasts b, contacts c, channel_identities ci
       WHERE d.id = picked.id AND b.id = d.broadcast_id AND c.id = d.contact_id AND ci.contact_id = d.contact_id AND ci.channel = d.channel
       RETURNING d.id, d.release, d.broadcast_id, b.kind, d.contact_id, d.channel, ci.address_hash, c.language`,
      [o.channel, o.limit, o.now, ...(o.quiet ? [o.defaultZone, o.quiet.from, o.quiet.to] : [])],
    );
    return rows;
  });
}

/** Deliveries on `channel` handed to the queues and not yet ended: how much is in flight. */
export async function deliveriesInFlight(sql: Sql, channel: ChannelName): Promise<number> {
  const { rows } = await sql.query<{ n: string }>(
    `SELECT count(*) AS n FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id
     WHERE b.status IN ('sending', 'paused') AND d.channel = $1::channel AND d.status IN ('queued', 'started', 'sending')`,
    [channel],
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * Deliveries queued (or a flow's turn started) longer ago than `before` whose job may have been lost
 * (the in-process queues at a restart, Redis without persistence): handed again under the same job id,
 * which the queue dedupes; a flow's turn run again is kept once by its receipt.
 */
export async function queuedSince(sql: Sql, channels: readonly ChannelName[], before: Date): Promise<ReleasedDelivery[]> {
  const { rows } = await sql.query<ReleasedDelivery>(
    `SELECT d.id, d.release, d.broadcast_id, b.kind, d.contact_id, d.channel, ci.address_hash, c.language
     FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id JOIN contacts c ON c.id = d.contact_id
     JOIN channel_identities ci ON ci.contact_id = d.contact_id AND ci.channel = d.channel
     WHERE b.status IN ('sending', 'paused') AND d.status IN ('queued', 'started') AND d.released_at < $2 AND d.channel::text = ANY($1::text[])
     LIMIT 1000`,
    [[...channels], before],
  );
  return rows;
}

/**
 * Deliveries whose send call began before `before` and never ended: the process sending them stopped.
 * It may have arrived: they are not sent again (a duplicate is worse than the doubt), and say so.
 */
export async function failInterrupted(sql: Sql, before: Date, now: Date): Promise<number> {
  const r = await sql.query(
    `UPDATE deliveries SET status = 'failed', error = 'interrupted: the process sending it stopped; it may have arrived', updated_at = $2
     WHERE status = 'sending' AND claimed_at < $1`,
    [before, now],
  );
  return r.rowCount ?? 0;
}

/** Settle what expired (pending deliveries of broadcasts past their expiry) and end broadcasts with nothing left. */
export async function settleBroadcasts(sql: Sql, now: Date): Promise<{ expired: number; finished: string[] }> {
  const expired = await sql.query(
    `UPDATE deliveries d SET status = 'skipped', skip_reason = 'expired', updated_at = $1 FROM broadcasts b
     WHERE b.id = d.broadcast_id AND b.status IN ('sending', 'paused') AND b.expires_at <= $1 AND d.status = 'pending'`,
    [now],
  );
  const { rows } = await sql.query<{ id: string }>(
    `UPDATE broadcasts b SET status = 'sent', finished_at = $1, updated_at = $1
     WHERE b.status = 'sending' AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.broadcast_id = b.id AND d.status IN ('pending', 'queued', 'started', 'sending'))
     RETURNING b.id`,
    [now],
  );
  return { expired: expired.rowCount ?? 0, finished: rows.map((r) => r.id) };
}

/** Whether any broadcast is sending or scheduled to (the broadcaster idles otherwise). */
export async function broadcastsAtWork(sql: Sql): Promise<{ sending: number; scheduled: Date | null }> {
  const { rows } = await sql.query<{ sending: string; scheduled: Date | null }>(
    "SELECT count(*) FILTER (WHERE status = 'sending') AS sending, min(scheduled_at) FILTER (WHERE status = 'scheduled') AS scheduled FROM broadcasts WHERE status IN ('sending', 'scheduled')",
  );
  return { sending: Number(rows[0]?.sending ?? 0), scheduled: rows[0]?.scheduled ?? null };
}

// ─── At the last moment ────────────────────────────────────────────────────────────────────────

/** What a job found when it came to its delivery. */
export type Claim =
  /** Go ahead: the delivery is now `to`. */
  | { outcome: "go"; kind: BroadcastKind; eventId: string | null; flowId: string | null; messages: Record<string, string>; baseLanguage: string }
  /** Paused: handed back (pending), to be released again on resume. */
  | { outcome: "paused" }
  /** Not sent, and why (settled now). */
  | { outcome: "skipped"; reason: SkipReason }
  /** A send began before and never ended (its process stopped): settled as failed, not sent again. */
  | { outcome: "interrupted" }
  /** Nothing to do: another release of it, already ended, or its person erased. */
  | { outcome: "gone" };

/**
 * Take a delivery's next step at the last moment, deciding from what holds now: the person still
 * active and consented (a STOP since scheduling is honoured), the broadcast not paused, cancelled or
 * expired. `from` queued (a text, or a flow's turn to run) or started (a flow's message, sent even if
 * paused since: the conversation already moved on), `to` started or sending.
 */
export async function claimDelivery(sql: Sql, id: string, release: number, step: { from: "queued" | "started"; to: "started" | "sending" }, now: Date): Promise<Claim> {
  return sql.transaction(async (tx) => {
    const { rows } = await tx.query<{
      status: DeliveryState;
      release: number;
      broadcast_status: BroadcastStatus;
      expires_at: Date | null;
      kind: BroadcastKind;
      event_id: string | null;
      flow_id: string | null;
      messages: Record<string, string>;
      base_language: string;
      contact_status: string;
      consent_version: string | null;
      contact_preference: string;
    }>(
      `SELECT d.status, d.release, b.status AS broadcast_status, b.expires_at, b.kind, b.event_id, b.flow_id, b.messages, b.base_language,
              c.status AS contact_status, c.consent_version, c.contact_preference
       FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id JOIN contacts c ON c.id = d.contact_id
       WHERE d.id = $1 FOR UPDATE OF d`,
      [id],
    );
    const d = rows[0];
    if (!d || d.release !== release) return { outcome: "gone" };
    if (d.status === "sending" && step.to === "sending") {
      await tx.query("UPDATE deliveries SET status = 'failed', error = 'interrupted: the process sending it stopped; it may have arrived', updated_at = $2 WHERE id = $1", [id, now]);
      return { outcome: "interrupted" };
    }
    // A flow's turn claimed before and not yet marked done by its message: run again (the turn is kept once by its receipt).
    if (d.status === "started" && step.to === "started") return go(d);
    if (d.status !== step.from) return { outcome: "gone" };
    const skip = async (reason: SkipReason): Promise<Claim> => {
      await tx.query("UPDATE deliveries SET status = 'skipped', skip_reason = $2, updated_at = $3 WHERE id = $1", [id, reason, now]);
      return { outcome: "skipped", reason };
    };
    if (d.contact_status === "erased") return skip("erased");
    // A contact preference narrowed since (no more broadcasts, or nothing at all) counts as a stop.
    const allowed = preferencesFor(d.kind).includes(d.contact_preference);
    if (d.contact_status !== "active" || d.consent_version === null || !allowed) return skip("stopped");
    if (d.broadcast_status === "cancelled") return skip("cancelled");
    if (step.from === "queued") {
      if (d.expires_at !== null && d.expires_at <= now) return skip("expired");
      if (d.broadcast_status === "paused") {
        await tx.query("UPDATE deliveries SET status = 'pending', updated_at = $2 WHERE id = $1", [id, now]);
        return { outcome: "paused" };
      }
    }
    await tx.query(
      `UPDATE deliveries SET status = $2::delivery_status, claimed_at = CASE WHEN $2 = 'sending' THEN $3 ELSE claimed_at END,
         attempts = attempts + CASE WHEN $2 = 'sending' THEN 1 ELSE 0 END, updated_at = $3 WHERE id = $1`,
      [id, step.to, now],
    );
    return go(d);
  });
}

function go(d: { kind: BroadcastKind; event_id: string | null; flow_id: string | null; messages: Record<string, string>; base_language: string }): Claim {
  return { outcome: "go", kind: d.kind, eventId: d.event_id, flowId: d.flow_id, messages: d.messages, baseLanguage: d.base_language };
}

/**
 * The send ended: how. `back` hands a delivery back to the state it was claimed from (a retry
 * follows); failed and blocked end it whether or not its send was claimed (a job failing for good
 * before its claim leaves no copy waiting forever). Only this release's job ends it.
 */
export async function endDelivery(
  sql: Sql,
  id: string,
  release: number,
  end: { status: "sent"; providerMessageId: string | null } | { status: "failed" | "blocked"; error: string } | { status: "back"; to: "queued" | "started"; error: string },
  now: Date,
): Promise<void> {
  if (end.status === "sent") {
    await sql.query("UPDATE deliveries SET status = 'sent', provider_message_id = $3, error = NULL, updated_at = $4 WHERE id = $1 AND release = $2 AND status = 'sending'", [id, release, end.providerMessageId, now]);
  } else if (end.status === "back") {
    await sql.query("UPDATE deliveries SET status = $3::delivery_status, error = $4, updated_at = $5 WHERE id = $1 AND release = $2 AND status = 'sending'", [id, release, end.to, end.error.slice(0, 500), now]);
  } else {
    await sql.query(
      "UPDATE deliveries SET status = $3::delivery_status, error = $4, updated_at = $5 WHERE id = $1 AND release = $2 AND status IN ('sending', 'started', 'queued')",
      [id, release, end.status, end.error.slice(0, 500), now],
    );
  }
}

// ─── Progress ─────────────────────────────────────────────────────────────────────────────────

/** A broadcast's deliveries counted by state (skipped by reason). */
export interface DeliveryCounts {
  pending: number;
  queued: number;
  sent: number;
  failed: number;
  blocked: number;
  skipped: Record<SkipReason, number>;
}

/** The counts of one broadcast's deliveries. */
export async function deliveryCounts(sql: Sql, broadcastId: string): Promise<DeliveryCounts> {
  const { rows } = await sql.query<{ status: DeliveryState; skip_reason: string | null; n: string }>(
    "SELECT status, skip_reason, count(*) AS n FROM deliveries WHERE broadcast_id = $1 GROUP BY 1, 2",
    [broadcastId],
  );
  const counts: DeliveryCounts = { pending: 0, queued: 0, sent: 0, failed: 0, blocked: 0, skipped: { stopped: 0, erased: 0, expired: 0, cancelled: 0 } };
  for (const r of rows) {
    const n = Number(r.n);
    if (r.status === "pending") counts.pending += n;
    else if (r.status === "queued" || r.status === "started" || r.status === "sending") counts.queued += n;
    else if (r.status === "sent") counts.sent += n;
    else if (r.status === "failed") counts.failed += n;
    else if (r.status === "blocked") counts.blocked += n;
    else if (r.status === "skipped_opted_out") counts.skipped.stopped += n;
    else counts.skipped[(r.skip_reason ?? "stopped") as SkipReason] += n;
  }
  return counts;
}

// ─── A meeting's own notices ──────────────────────────────────────────────────────────────────

/** How long before a meeting each reminder preference is due. */
export const REMINDER_AHEAD: Record<"day_before" | "hour_before", number> = { day_before: 86_400_000, hour_before: 3_600_000 };

/**
 * Make the reminders that are due: per scheduled meeting not yet begun and reminder preference whose
 * time has come, one reminder broadcast (made once: its notice key names the meeting's start, so a
 * meeting moved gets new ones). Returns how many were made.
 */
export async function planReminders(sql: Sql, now: Date): Promise<number> {
  const { rowCount } = await sql.query(
    `INSERT INTO broadcasts (id, kind, messages, base_language, event_id, segment, scheduled_at, expires_at, quiet_hours, status, notice_key, created_by, created_at, updated_at)
     SELECT gen_random_uuid(), 'meeting_reminder', '{}'::jsonb, e.base_language, e.id, jsonb_build_object('reminder', p.pref), $1, e.starts_at, false, 'scheduled',
            'reminder:' || e.id || ':' || (extract(epoch FROM e.starts_at) * 1000)::bigint || ':' || p.pref, 'system', $1, $1
     FROM events e CROSS JOIN (VALUES ('day_before', $2::bigint), ('hour_before', $3::bigint)) AS p(pref, ahead_ms)
     WHERE e.status = 'scheduled' AND e.starts_at > $1 AND e.starts_at - p.ahead_ms * interval '1 millisecond' <= $1
       AND EXISTS (SELECT 1 FROM rsvps v WHERE v.event_id = e.id AND v.reminder::text = p.pref AND v.answer IN ('yes', 'maybe'))
     ON CONFLICT (notice_key) DO NOTHING`,
    [now, REMINDER_AHEAD.day_before, REMINDER_AHEAD.hour_before],
  );
  return rowCount ?? 0;
}

/**
 * Make the notices to people moved up from a waiting list: one per meeting and moment of moving up
 * (made once), while the meeting is still to come. Returns how many were made.
 */
export async function planPromotions(sql: Sql, now: Date): Promise<number> {
  const { rowCount } = await sql.query(
    `INSERT INTO broadcasts (id, kind, messages, base_language, event_id, segment, scheduled_at, expires_at, quiet_hours, status, notice_key, created_by, created_at, updated_at)
     SELECT gen_random_uuid(), 'meeting_promoted', '{}'::jsonb, e.base_language, e.id, jsonb_build_object('promotedAt', p.promoted_at), $1, e.starts_at, false, 'scheduled',
            'promoted:' || e.id || ':' || (extract(epoch FROM p.promoted_at) * 1000)::bigint, 'system', $1, $1
     FROM (SELECT DISTINCT event_id, promoted_at FROM rsvps WHERE promoted_at IS NOT NULL AND answer = 'yes') p
     JOIN events e ON e.id = p.event_id AND e.status = 'scheduled' AND e.starts_at > $1
     ON CONFLICT (notice_key) DO NOTHING`,
    [now],
  );
  return rowCount ?? 0;
}

/** A meeting as its messages show it. */
export interface MeetingTextRow {
  id: string;
  status: "scheduled" | "cancelled";
  territory_id: string;
  title: Record<string, string>;
  base_language: string;
  starts_at: Date;
  time_zone: string;
  place: string;
}

/** The meetings with these ids, as their messages show them. */
export async function meetingTexts(sql: Sql, ids: readonly string[]): Promise<Map<string, MeetingTextRow>> {
  if (ids.length === 0) return new Map();
  const { rows } = await sql.query<MeetingTextRow>("SELECT id, status, territory_id, title, base_language, starts_at, time_zone, place FROM events WHERE id = ANY($1::uuid[])", [[...ids]]);
  return new Map(rows.map((r) => [r.id, r]));
}

/** The broadcasts' content the jobs of their copies need, by id. */
export async function broadcastContents(sql: Sql, ids: readonly string[]): Promise<Map<string, Pick<BroadcastRow, "id" | "kind" | "messages" | "base_language" | "event_id" | "flow_id" | "segment">>> {
  if (ids.length === 0) return new Map();
  const { rows } = await sql.query<BroadcastRow>("SELECT id, kind, messages, base_language, event_id, flow_id, segment FROM broadcasts WHERE id = ANY($1::uuid[])", [[...ids]]);
  return new Map(rows.map((r) => [r.id, r]));
}
