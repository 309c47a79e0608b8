// Meetings (the `events` table) as coordinators create, change, cancel and list them (src/meetings).
// RSVPs are only ever counted here: who answered is never read.
import type { EventStatus, Prisma, PrismaClient } from "../generated/prisma/client.ts";
import { fillFreePlaces } from "./rsvps.ts";

/** A territory as a meeting needs it: its name and the time zone its times are written in. */
export interface MeetingTerritory {
  id: string;
  name: string;
  timeZone: string;
}

/** A task force as a meeting needs it: its name and the territory it works in. */
export interface MeetingTaskForce {
  id: string;
  name: string;
  territoryId: string;
}

/** How many people answered yes, maybe and no, and how many said yes once it was full (waiting list). */
export interface RsvpCounts {
  yes: number;
  maybe: number;
  no: number;
  waitlist: number;
}

/** What is written for a new meeting, or changed in one (only the fields given). */
export interface MeetingFields {
  title: Record<string, string>;
  description: Record<string, string>;
  baseLanguage: string;
  startsAt: Date;
  endsAt: Date | null;
  timeZone: string;
  place: string;
  territoryId: string;
  taskForceId: string | null;
  capacity: number | null;
}

/** A meeting as stored, with its territory, task force and RSVP counts. */
export interface MeetingRow extends Omit<MeetingFields, "territoryId" | "taskForceId"> {
  id: string;
  status: EventStatus;
  createdAt: Date;
  updatedAt: Date;
  cancelledAt: Date | null;
  territory: { id: string; name: string };
  taskForce: { id: string; name: string } | null;
  rsvps: RsvpCounts;
}

const WITH = {
  territory: { select: { id: true, name: true } },
  taskForce: { select: { id: true, name: true } },
} satisfies Prisma.EventInclude;

type EventWith = Prisma.EventGetPayload<{ include: typeof WITH }>;

/** The territory with this id, or null. */
export async function findMeetingTerritory(prisma: PrismaClient, id: string): Promise<MeetingTerritory | null> {
  return prisma.territory.findUnique({ where: { id }, select: { id: true, name: true, timeZone: true } });
}

/** The task force with this id, or null. */
export async function findMeetingTaskForce(prisma: PrismaClient, id: string): Promise<MeetingTaskForce | null> {
  return prisma.taskForce.findUnique({ where: { id }, select: { id: true, name: true, territoryId: true } });
}

/** The task forces working in a territory, by name. */
export async function taskForcesIn(prisma: PrismaClient, territoryId: string): Promise<MeetingTaskForce[]> {
  return prisma.taskForce.findMany({ where: { territoryId }, select: { id: true, name: true, territoryId: true }, orderBy: { name: "asc" } });
}

/** Whether the meeting with this id was cancelled (false too when there is none). */
export async function isMeetingCancelled(prisma: PrismaClient, id: string): Promise<boolean> {
  return (await prisma.event.count({ where: { id, status: "cancelled" } })) > 0;
}

/** Stores a new, scheduled meeting and returns it. */
export async function insertMeeting(prisma: PrismaClient, fields: MeetingFields): Promise<MeetingRow> {
  const event = await prisma.event.create({ data: fields, include: WITH });
  return toRow(event, await rsvpCounts(prisma, [event.id]));
}

/** The meeting with this id, or null. */
export async function findMeeting(prisma: PrismaClient, id: string): Promise<MeetingRow | null> {
  const event = await prisma.event.findUnique({ where: { id }, include: WITH });
  return event ? toRow(event, await rsvpCounts(prisma, [id])) : null;
}

/**
 * Changes the fields given of a scheduled meeting last changed at `readAt`, and returns it as it now
 * is; null when it was changed or cancelled since (the caller read it, then decided on the change).
 */
export async function updateMeetingFields(prisma: PrismaClient, id: string, readAt: Date, fields: Partial<MeetingFields>, now: Date = new Date()): Promise<MeetingRow | null> {
  // The change and, when the meeting moved, the notice to those coming: together or not at all.
  const changed = await prisma.$transaction(async (tx) => {
    const before = fields.startsAt ? await tx.event.findUnique({ where: { id }, select: { startsAt: true } }) : null;
    const { count } = await tx.event.updateMany({ where: { id, updatedAt: readAt, status: "scheduled" }, data: { ...fields, updatedAt: new Date() } });
    if (count !== 1) return false;
    if (before && fields.startsAt && before.startsAt.getTime() !== fields.startsAt.getTime()) await noticeMeetingChange(tx, id, "moved", now);
    return true;
  });
  if (!changed) return null;
  // A capacity raised (or removed) frees places: the first waiting take them.
  // They are told by the broadcaster, which finds them by rsvps.promoted_at (planPromotions).
  if (fields.capacity !== undefined) await fillFreePlaces(prisma, id);
  return findMeeting(prisma, id);
}

/** Marks a scheduled meeting cancelled at `at`; false when it was already cancelled (or doesn't exist). */
export async function markMeetingCancelled(prisma: PrismaClient, id: string, at: Date): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    // One conditional statement, so two coordinators cancelling at once record one cancellation time.
    const { count } = await tx.event.updateMany({ where: { id, status: "scheduled" }, data: { status: "cancelled", cancelledAt: at } });
    // Those coming are told, in the same transaction; invitations and reminders still to go out stop.
    if (count === 1) await noticeMeetingChange(tx, id, "cancelled", at);
    return count === 1;
  });
}

/** Meetings (of one territory, or all) ending at or after `endingFrom` (or all), soonest first. */
export async function listMeetingRows(prisma: PrismaClient, filter: { territoryId?: string; endingFrom?: Date }): Promise<MeetingRow[]> {
  const where: Prisma.EventWhereInput = {
    ...(filter.territoryId ? { territoryId: filter.territoryId } : {}),
    // A meeting under way is still coming to someone deciding whether to go: it counts until it ends.
    ...(filter.endingFrom
      ? { OR: [{ endsAt: { gte: filter.endingFrom } }, { endsAt: null, startsAt: { gte: filter.endingFrom } }] }
      : {}),
  };
  const events = await prisma.event.findMany({ where, include: WITH, orderBy: [{ startsAt: "asc" }, { id: "asc" }] });
  const counts = await rsvpCounts(prisma, events.map((e) => e.id));
  return events.map((e) => toRow(e, counts));
}

/** Yes/maybe/no counts per meeting id (a meeting nobody answered is absent). */
async function rsvpCounts(prisma: PrismaClient, ids: string[]): Promise<Map<string, RsvpCounts>> {
  const counts = new Map<string, RsvpCounts>();
  if (ids.length === 0) return counts;
  const groups = await prisma.rsvp.groupBy({ by: ["eventId", "answer"], where: { eventId: { in: ids } }, _count: { _all: true } });
  for (const g of groups) {
    const c = counts.get(g.eventId) ?? { yes: 0, maybe: 0, no: 0, waitlist: 0 };
    c[g.answer] = g._count._all;
    counts.set(g.eventId, c);
  }
  return counts;
}

function toRow(e: EventWith, counts: Map<string, RsvpCounts>): MeetingRow {
  return {
    id: e.id,
    title: texts(e.title),
    description: texts(e.description),
    baseLanguage: e.baseLanguage,
    startsAt: e.startsAt,
    endsAt: e.endsAt,
    timeZone: e.timeZone,
    place: e.place,
    capacity: e.capacity,
    status: e.status,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
    cancelledAt: e.cancelledAt,
    territory: e.territory,
    taskForce: e.taskForce,
    rsvps: counts.get(e.id) ?? { yes: 0, maybe: 0, no: 0, waitlist: 0 },
  };
}

/** A `{ language: text }` JSON column as a plain map (anything else in it is ignored). */
function texts(json: Prisma.JsonValue): Record<string, string> {
  if (!json || typeof json !== "object" || Array.isArray(json)) return {};
  return Object.fromEntries(Object.entries(json).filter((e): e is [string, string] => typeof e[1] === "string"));
}

/**
 * A meeting moved or cancelled: those who said yes or maybe are told (a notice broadcast, made once
 * per new time or per cancellation), and what was still to go out about its old time stops: its
 * reminders (moved: new ones are made for the new time) or, cancelled, its invitations too.
 */
async function noticeMeetingChange(prisma: Prisma.TransactionClient, eventId: string, change: "moved" | "cancelled", now: Date): Promise<void> {
  const stopKinds = change === "moved" ? ["meeting_reminder"] : ["meeting", "meeting_reminder", "meeting_moved"];
  await prisma.$executeRaw`
    WITH stopped AS (
      UPDATE broadcasts SET status = 'cancelled', finished_at = ${now}, updated_at = ${now}
      WHERE event_id = ${eventId}::uuid AND kind::text = ANY(${stopKinds}::text[]) AND status IN ('draft', 'scheduled', 'sending', 'paused')
      RETURNING id)
    UPDATE deliveries SET status = 'skipped', skip_reason = 'cancelled', updated_at = ${now}
    WHERE broadcast_id IN (SELECT id FROM stopped) AND status = 'pending'`;
  // Made only if someone answered yes or maybe; a notice is never held by quiet hours and expires when the (old) meeting would begin.
  await prisma.$executeRaw`
    INSERT INTO broadcasts (id, kind, messages, base_language, event_id, segment, scheduled_at, expires_at, quiet_hours, status, notice_key, created_by, created_at, updated_at)
    SELECT gen_random_uuid(), ${`meeting_${change}`}::broadcast_kind, '{}'::jsonb, e.base_language, e.id, '{}'::jsonb, ${now}, e.starts_at, false, 'scheduled',
           ${change} || ':' || e.id || ':' || (extract(epoch FROM e.starts_at) * 1000)::bigint, 'system', ${now}, ${now}
    FROM events e
    WHERE e.id = ${eventId}::uuid AND e.starts_at > ${now}
      AND EXISTS (SELECT 1 FROM rsvps v WHERE v.event_id = e.id AND v.answer IN ('yes', 'maybe', 'waitlist'))
    ON CONFLICT (notice_key) DO NOTHING`;
}
