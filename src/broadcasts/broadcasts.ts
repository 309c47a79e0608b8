// The broadcasts service: the one place broadcasts are created, previewed, confirmed, paused, resumed,
// cancelled and followed, for the CLI now and Slack later. It writes and reads the database only: the
// broadcaster in the worker processes (src/pipeline/broadcaster.ts) does the sending.
import { z } from "zod";
import { ChannelName } from "../channel/contract.ts";
import type { Sql } from "../db/index.ts";
import { instantOfLocalTime, LOCAL_TIME_FORMAT } from "../meetings/local-time.ts";
import {
  changeBroadcastStatus,
  deliveryCounts,
  findBroadcast,
  insertBroadcast,
  listBroadcastRows,
  meetingTexts,
  segmentCounts,
  type BroadcastKind,
  type BroadcastRow,
  type BroadcastStatus,
  type DeliveryCounts,
  type MeetingTextRow,
} from "../repos/broadcasts.ts";
import { territoryZones } from "../repos/territories.ts";
import { writeAudit } from "../repos/audit.ts";
import { BroadcastInputError, BroadcastNotFoundError, BroadcastStateError, type BroadcastProblem } from "./errors.ts";
import { Segment, segmentQuery } from "./segment.ts";

/** What the service needs: the database, the languages and flows the project has, the default zone, a clock. */
export interface BroadcastsContext {
  sql: Sql;
  /** INLOCO_LANGUAGES. */
  languages: readonly string[];
  /** Ids of the flows a broadcast may start. */
  flows: readonly string[];
  /** INLOCO_TIME_ZONE: times are read on its clocks unless the broadcast is for one territory. */
  timeZone: string;
  now?: () => Date;
}

/** A new broadcast: exactly one of `texts`, `meeting`, `flow`. Times as "YYYY-MM-DD HH:MM" (local) or ISO 8601. */
export const NewBroadcast = z.object({
  texts: z.record(z.string().trim(), z.string().trim()).optional(),
  /** The language a person without a text in theirs gets (default: the first of `texts`). */
  baseLanguage: z.string().trim().optional(),
  meeting: z.string().trim().optional(),
  flow: z.string().trim().optional(),
  territories: z.array(z.string().trim()).default([]),
  languages: z.array(z.string().trim()).default([]),
  channels: z.array(ChannelName).default([]),
  seenWithinDays: z.number().int().positive().optional(),
  /** Only people who finished this flow, or left it half-way. */
  finished: z.string().trim().optional(),
  left: z.string().trim().optional(),
  at: z.string().trim().optional(),
  expires: z.string().trim().optional(),
  /** Who asks (a Slack user id, "cli:<user>"). */
  createdBy: z.string().min(1),
});
export type NewBroadcast = z.input<typeof NewBroadcast>;

/** Who a broadcast would reach now, and what they would miss. */
export interface Preview {
  total: number;
  byLanguage: Array<{ language: string; people: number }>;
  byChannel: Array<{ channel: ChannelName; people: number }>;
  /** Languages of recipients with no text (or meeting title) of their own: they get the base language. */
  missing: Array<{ language: string; people: number }>;
}

/** A broadcast as a coordinator sees it. */
export interface Broadcast {
  id: string;
  kind: BroadcastKind;
  status: BroadcastStatus;
  /** What it says, shortly: the base text, the meeting's title, the flow. */
  what: string;
  segment: Segment;
  at: Date | null;
  expires: Date | null;
  createdBy: string;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** How far a broadcast got. */
export interface Progress extends DeliveryCounts {
  broadcast: Broadcast;
  /** People chosen when it began (null before). */
  recipients: number | null;
  /** Of them, how many copies have ended (sent, failed, blocked, skipped). */
  done: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Checks and writes a new broadcast as a draft (nothing is sent before `confirmBroadcast`); its id and preview. */
export async function createBroadcast(ctx: BroadcastsContext, input: NewBroadcast): Promise<{ broadcast: Broadcast; preview: Preview }> {
  const now = (ctx.now ?? (() => new Date()))();
  const parsed = NewBroadcast.safeParse(input);
  if (!parsed.success) throw new BroadcastInputError(parsed.error.issues.map((i) => ({ field: String(i.path[0] ?? "input"), message: i.message })));
  const o = parsed.data;
  const problems: BroadcastProblem[] = [];
  const contents = [o.texts && Object.keys(o.texts).length > 0, o.meeting, o.flow].filter(Boolean).length;
  if (contents !== 1) problems.push({ field: "content", message: "say what to send: texts (one per language), a meeting, or a flow — exactly one" });

  const zones = await territoryZones(ctx.sql);
  for (const t of o.territories) if (!zones.has(t)) problems.push({ field: "territories", message: `no territory "${t}" (known: ${[...zones.keys()].join(", ")})` });
  for (const l of o.languages) if (!ctx.languages.includes(l)) problems.push({ field: "languages", message: `"${l}" is not one of the languages offered (${ctx.languages.join(", ")})` });
  for (const f of [o.flow, o.finished, o.left]) if (f && !ctx.flows.includes(f)) problems.push({ field: "flow", message: `no flow "${f}" (flows: ${ctx.flows.join(", ")})` });
  if (o.finished && o.left) problems.push({ field: "flow", message: "either those who finished a flow or those who left it, not both" });

  let kind: BroadcastKind = "announcement";
  let baseLanguage = o.baseLanguage ?? Object.keys(o.texts ?? {})[0] ?? ctx.languages[0] ?? "en";
  let territories = o.territories;
  let meetingStart: Date | undefined;
  if (o.texts) {
    for (const [lang, text] of Object.entries(o.texts)) {
      if (!ctx.languages.includes(lang)) problems.push({ field: "texts", message: `"${lang}" is not one of the languages offered (${ctx.languages.join(", ")})` });
      if (text.length === 0) problems.push({ field: "texts", message: `the ${lang} text is empty` });
      if (text.length > 3500) problems.push({ field: "texts", message: `the ${lang} text has ${text.length} characters: at most 3500 (one message on every channel)` });
    }
    if (o.baseLanguage && !o.texts[o.baseLanguage]) problems.push({ field: "baseLanguage", message: `no ${o.baseLanguage} text for those without their own` });
  }
  if (o.meeting) {
    kind = "meeting";
    const meeting = UUID.test(o.meeting) ? (await meetingTexts(ctx.sql, [o.meeting])).get(o.meeting) : undefined;
    if (!meeting) problems.push({ field: "meeting", message: `no meeting ${o.meeting} (\`inloco event list\` shows their ids)` });
    else if (meeting.status === "cancelled") problems.push({ field: "meeting", message: "the meeting is cancelled" });
    else if (meeting.starts_at <= now) problems.push({ field: "meeting", message: "the meeting has already begun" });
    else {
      baseLanguage = meeting.base_language;
      meetingStart = meeting.starts_at;
      // An invitation goes to the meeting's territory unless the coordinator says otherwise.
      if (territories.length === 0) territories = [meeting.territory_id];
    }
  }
  if (o.flow) kind = "flow";

  // Times are read on the clocks of the one territory it goes to, else of the project.
  const zone = territories.length === 1 ? (zones.get(territories[0] as string) ?? ctx.timeZone) : ctx.timeZone;
  const at = o.at && o.at !== "now" ? readTime(o.at, zone, "at", problems) : null;
  const expires = o.expires ? readTime(o.expires, zone, "expires", problems) : (meetingStart ?? null);
  if (at && at.getTime() < now.getTime() - 60_000) problems.push({ field: "at", message: "that time has passed (leave it out to send now)" });
  if (expires && expires <= (at ?? now)) problems.push({ field: "expires", message: "it would expire before it is sent" });
  if (problems.length > 0) throw new BroadcastInputError(problems);

  const segment: Segment = Segment.parse({
    territories,
    languages: o.languages,
    channels: o.channels,
    ...(o.seenWithinDays ? { seenWithinDays: o.seenWithinDays } : {}),
    ...(o.finished ? { flow: { id: o.finished, state: "finished" } } : o.left ? { flow: { id: o.left, state: "left" } } : {}),
  });
  const id = await insertBroadcast(
    ctx.sql,
    { kind, messages: o.texts ?? {}, baseLanguage, eventId: o.meeting ?? null, flowId: o.flow ?? null, segment, scheduledAt: at, expiresAt: expires, quietHours: true, status: "draft", createdBy: o.createdBy },
    now,
  );
  const row = await findBroadcast(ctx.sql, id as string);
  if (!row) throw new BroadcastNotFoundError(id as string);
  await writeAudit(ctx.sql, o.createdBy, "broadcast_create", row.id, { kind, segment });
  return { broadcast: await toBroadcast(ctx.sql, row), preview: await previewOf(ctx, row, now) };
}

/** Who the broadcast would reach if it were sent now. */
export async function previewBroadcast(ctx: BroadcastsContext, id: string): Promise<Preview> {
  return previewOf(ctx, await mustFind(ctx, id), (ctx.now ?? (() => new Date()))());
}

/** The coordinator confirms a draft: it is sent at its time (now when none). */
export async function confirmBroadcast(ctx: BroadcastsContext, id: string, actor: string): Promise<Broadcast> {
  return move(ctx, id, actor, ["draft"], "scheduled", "broadcast_confirm");
}

/** Hold a broadcast: nothing more goes out (within a second, in every process) until resumed. */
export async function pauseBroadcast(ctx: BroadcastsContext, id: string, actor: string): Promise<Broadcast> {
  return move(ctx, id, actor, ["sending", "scheduled"], "paused", "broadcast_pause");
}

/** Go on sending a paused broadcast (one paused before its time waits for it again). */
export async function resumeBroadcast(ctx: BroadcastsContext, id: string, actor: string): Promise<Broadcast> {
  const row = await mustFind(ctx, id);
  return move(ctx, id, actor, ["paused"], row.started_at ? "sending" : "scheduled", "broadcast_resume");
}

/** Stop a broadcast for good: what is unsent is skipped. */
export async function cancelBroadcast(ctx: BroadcastsContext, id: string, actor: string): Promise<Broadcast> {
  return move(ctx, id, actor, ["draft", "scheduled", "sending", "paused"], "cancelled", "broadcast_cancel");
}

/** How far a broadcast got: copies queued, sent, failed, blocked, skipped (and why). */
export async function broadcastProgress(ctx: BroadcastsContext, id: string): Promise<Progress> {
  const row = await mustFind(ctx, id);
  const counts = await deliveryCounts(ctx.sql, id);
  // An erased person's copy went with them: counted as skipped from the number chosen.
  const rows = counts.pending + counts.queued + counts.sent + counts.failed + counts.blocked + Object.values(counts.skipped).reduce((a, b) => a + b, 0);
  if (row.recipients !== null) counts.skipped.erased += Math.max(0, row.recipients - rows);
  const done = counts.sent + counts.failed + counts.blocked + Object.values(counts.skipped).reduce((a, b) => a + b, 0);
  return { ...counts, broadcast: await toBroadcast(ctx.sql, row), recipients: row.recipients, done };
}

/** Broadcasts not finished, and the latest finished ones, newest first. */
export async function listBroadcasts(ctx: BroadcastsContext, recent = 10): Promise<Broadcast[]> {
  const rows = await listBroadcastRows(ctx.sql, recent);
  const meetings = await meetingTexts(ctx.sql, [...new Set(rows.flatMap((r) => (r.event_id ? [r.event_id] : [])))]);
  return Promise.all(rows.map((r) => toBroadcast(ctx.sql, r, meetings)));
}

/** One broadcast. */
export async function showBroadcast(ctx: BroadcastsContext, id: string): Promise<Broadcast> {
  return toBroadcast(ctx.sql, await mustFind(ctx, id));
}

async function move(ctx: BroadcastsContext, id: string, actor: string, from: readonly BroadcastStatus[], to: BroadcastStatus, action: string): Promise<Broadcast> {
  const row = await mustFind(ctx, id);
  const was = await changeBroadcastStatus(ctx.sql, id, from, to, (ctx.now ?? (() => new Date()))());
  if (!was) throw new BroadcastStateError(id, row.status, to);
  await writeAudit(ctx.sql, actor, action, id, { from: was, to });
  return toBroadcast(ctx.sql, (await findBroadcast(ctx.sql, id)) as BroadcastRow);
}

async function mustFind(ctx: BroadcastsContext, id: string): Promise<BroadcastRow> {
  const row = UUID.test(id) ? await findBroadcast(ctx.sql, id) : undefined;
  if (!row) throw new BroadcastNotFoundError(id);
  return row;
}

async function previewOf(ctx: BroadcastsContext, row: BroadcastRow, now: Date): Promise<Preview> {
  const { query, preferences } = segmentQuery(row);
  const counts = await segmentCounts(ctx.sql, query, preferences, now);
  const sum = (pick: (c: (typeof counts)[number]) => string) => {
    const m = new Map<string, number>();
    for (const c of counts) m.set(pick(c), (m.get(pick(c)) ?? 0) + c.people);
    return [...m].map(([k, people]) => ({ k, people })).sort((a, b) => b.people - a.people || a.k.localeCompare(b.k));
  };
  const byLanguage = sum((c) => c.language).map(({ k, people }) => ({ language: k, people }));
  const byChannel = sum((c) => c.channel).map(({ k, people }) => ({ channel: k as ChannelName, people }));
  // What has a translation: the texts, or the meeting's titles; a flow's texts are the project's own.
  let translated: Set<string> | undefined;
  if (row.kind === "announcement") translated = new Set(Object.keys(row.messages));
  if (row.event_id) translated = new Set(Object.keys((await meetingTexts(ctx.sql, [row.event_id])).get(row.event_id)?.title ?? {}));
  const missing = translated ? byLanguage.filter((l) => !(translated as Set<string>).has(l.language)) : [];
  return { total: counts.reduce((a, c) => a + c.people, 0), byLanguage, byChannel, missing };
}

async function toBroadcast(sql: Sql, r: BroadcastRow, meetings?: ReadonlyMap<string, MeetingTextRow>): Promise<Broadcast> {
  let what = "";
  if (r.kind === "announcement") what = r.messages[r.base_language] ?? Object.values(r.messages)[0] ?? "";
  else if (r.kind === "flow") what = `flow ${r.flow_id ?? "?"}`;
  // One person's: what was written to them is not shown around.
  else if (r.kind === "feedback_reply") what = `reply to feedback, from ${r.messages.from ?? "?"}`;
  else if (r.event_id) {
    const m = (meetings ?? (await meetingTexts(sql, [r.event_id]))).get(r.event_id);
    const title = m ? (m.title[m.base_language] ?? Object.values(m.title)[0] ?? "") : "?";
    what = `${r.kind === "meeting" ? "invitation" : r.kind.replace("meeting_", "")}: ${title}`;
  }
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    what,
    segment: Segment.parse(r.segment ?? {}),
    at: r.scheduled_at,
    expires: r.expires_at,
    createdBy: r.created_by,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

/** A time as a coordinator writes it: "YYYY-MM-DD HH:MM" on `zone`'s clocks, or ISO 8601 with its offset. */
function readTime(text: string, zone: string, field: string, problems: BroadcastProblem[]): Date | null {
  if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    const t = new Date(text);
    if (!Number.isNaN(t.getTime())) return t;
  }
  const t = instantOfLocalTime(text, zone);
  if (t instanceof Date) return t;
  const why = { malformed: `write it as "${LOCAL_TIME_FORMAT}"`, "no-such-date": "there is no such date", skipped: "the clocks skip that hour" }[t];
  problems.push({ field, message: `"${text}": ${why} (times are on ${zone}'s clocks)` });
  return null;
}
