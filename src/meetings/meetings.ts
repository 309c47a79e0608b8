// The meetings service: the one place meetings are created, changed, cancelled and read, for the CLI
// now and Slack later. Input is checked whole (every problem reported at once) before anything is
// written; times are written on the territory's clocks and stored as instants.
import { z } from "zod";
import type { PrismaClient } from "../db/index.ts";
import {
  findMeeting,
  findMeetingTaskForce,
  taskForcesIn,
  findMeetingTerritory,
  insertMeeting,
  listMeetingRows,
  markMeetingCancelled,
  updateMeetingFields,
  type MeetingFields,
  type MeetingRow,
  type MeetingTerritory,
} from "../repos/meetings.ts";
import { territoryIds } from "../repos/territories.ts";
import { MeetingCancelledError, MeetingChangedError, MeetingInputError, MeetingNotFoundError, type MeetingProblem } from "./errors.ts";
import { instantOfLocalTime, LOCAL_TIME_FORMAT, localTimeOf } from "./local-time.ts";

/** What the service needs: the database, the languages the project offers, and a clock. */
export interface MeetingsContext {
  prisma: PrismaClient;
  /** INLOCO_LANGUAGES: a title or description in any other language is refused. */
  languages: readonly string[];
  now?: () => Date;
}

/** A meeting as a coordinator sees it: what is stored, plus its times on the territory's clocks. */
export interface Meeting extends MeetingRow {
  /** "YYYY-MM-DD HH:MM" in `timeZone`. */
  starts: string;
  ends: string | null;
}

const localTime = z.string().trim();
const texts = z.record(z.string().trim(), z.string().trim());

/** A new meeting. The base language is `baseLanguage`, else the first language of `title`. */
export const NewMeeting = z.object({
  territory: z.string().trim().min(1, "the territory's id is required, e.g. valsusa"),
  title: texts,
  baseLanguage: z.string().trim().optional(),
  description: texts.optional(),
  starts: localTime,
  ends: localTime.optional(),
  place: z.string().trim().min(1, "where the meeting is, e.g. \"Via Roma 12, Susa\""),
  taskForce: z.string().trim().optional(),
  capacity: z.number().int("a whole number of people").positive("a number of people above 0").nullable().optional(),
});
export type NewMeeting = z.infer<typeof NewMeeting>;

/**
 * Changes to a meeting: only what is given changes. A title or description given as "" removes that
 * language (never the base one); `ends`, `taskForce` and `capacity` given as null are cleared.
 */
export const MeetingChanges = z.object({
  territory: z.string().trim().min(1, "the territory's id, e.g. valsusa").optional(),
  title: texts.optional(),
  baseLanguage: z.string().trim().optional(),
  description: texts.optional(),
  starts: localTime.optional(),
  ends: localTime.nullable().optional(),
  place: z.string().trim().min(1, "where the meeting is, e.g. \"Via Roma 12, Susa\"").optional(),
  taskForce: z.string().trim().nullable().optional(),
  capacity: z.number().int("a whole number of people").positive("a number of people above 0").nullable().optional(),
});
export type MeetingChanges = z.infer<typeof MeetingChanges>;

/** Which meetings to list: of one territory or all; coming ones unless `all`. */
export const MeetingFilter = z.object({ territory: z.string().trim().min(1).optional(), all: z.boolean().optional() });
export type MeetingFilter = z.infer<typeof MeetingFilter>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Creates a scheduled meeting, or throws MeetingInputError listing the problems found (nothing written). */
export async function createMeeting(ctx: MeetingsContext, input: NewMeeting): Promise<Meeting> {
  const problems: MeetingProblem[] = [];
  const given = parse(NewMeeting, input);
  const territory = await territoryOf(ctx, given.territory, problems);
  const title = checkTexts(ctx, "title", given.title, problems);
  const description = checkTexts(ctx, "description", given.description ?? {}, problems);
  const baseLanguage = given.baseLanguage ?? Object.keys(title)[0];
  // A base language taken from the titles is already checked with them.
  if (given.baseLanguage !== undefined && !ctx.languages.includes(given.baseLanguage)) problems.push({ field: "baseLanguage", message: `"${given.baseLanguage}" is not a language the project offers (${ctx.languages.join(", ")})` });
  else if (baseLanguage === undefined) problems.push({ field: "title", message: `at least one title is required, as <language>=<text>, e.g. en="Task force meeting" (languages: ${ctx.languages.join(", ")})` });
  else if (!title[baseLanguage]) problems.push({ field: "title", message: `a title in the base language (${baseLanguage}) is required` });
  const taskForceId = await taskForceOf(given.taskForce ?? null, territory, ctx, problems);
  // Without a territory the times are still checked for their shape (UTC skips no hour).
  const zone = territory?.timeZone;
  const startsAt = instantOf("starts", given.starts, zone, problems);
  const endsAt = given.ends !== undefined ? instantOf("ends", given.ends, zone, problems) : null;
  checkTimes(ctx, startsAt, endsAt, true, problems);
  if (problems.length > 0 || !territory || !startsAt || endsAt === undefined || baseLanguage === undefined) throw new MeetingInputError(problems);
  const fields: MeetingFields = {
    title,
    description,
    baseLanguage,
    startsAt,
    endsAt,
    timeZone: territory.timeZone,
    place: given.place,
    territoryId: territory.id,
    taskForceId,
    capacity: given.capacity ?? null,
  };
  return meeting(await insertMeeting(ctx.prisma, fields));
}

/** Changes what is given of a scheduled meeting; throws MeetingNotFoundError, MeetingCancelledError, MeetingChangedError or MeetingInputError. */
export async function updateMeeting(ctx: MeetingsContext, id: string, changes: MeetingChanges): Promise<Meeting> {
  const given = parse(MeetingChanges, changes);
  const problems: MeetingProblem[] = [];
  const current = await scheduledMeeting(ctx, id);
  if (Object.values(given).every((v) => v === undefined)) {
    throw new MeetingInputError([{ field: "id", message: "nothing to change: give at least one field (title, starts, place…)" }]);
  }
  const fields: Partial<MeetingFields> = {};
  let territory: MeetingTerritory | undefined = { id: current.territory.id, name: current.territory.name, timeZone: current.timeZone };
  if (given.territory !== undefined && given.territory !== current.territory.id) {
    territory = await territoryOf(ctx, given.territory, problems);
    // The instants stay: a meeting moved to a territory of another zone keeps its moment, not its clock time.
    if (territory) Object.assign(fields, { territoryId: territory.id, timeZone: territory.timeZone });
  }
  if (given.title !== undefined || given.baseLanguage !== undefined) {
    const title = merge(current.title, checkTexts(ctx, "title", given.title ?? {}, problems, true));
    const baseLanguage = given.baseLanguage ?? current.baseLanguage;
    if (!ctx.languages.includes(baseLanguage)) problems.push({ field: "baseLanguage", message: `"${baseLanguage}" is not a language the project offers (${ctx.languages.join(", ")})` });
    else if (!title[baseLanguage]) problems.push({ field: "title", message: `the title in the base language (${baseLanguage}) can't be removed` });
    Object.assign(fields, { title, baseLanguage });
  }
  if (given.description !== undefined) fields.description = merge(current.description, checkTexts(ctx, "description", given.description, problems, true));
  if (given.place !== undefined) fields.place = given.place;
  if (given.capacity !== undefined) fields.capacity = given.capacity;
  if (given.taskForce !== undefined) fields.taskForceId = await taskForceOf(given.taskForce, territory, ctx, problems);
  else if (fields.territoryId && current.taskForce) {
    problems.push({ field: "taskForce", message: `the meeting's task force (${current.taskForce.name}) works in ${current.territory.id}: name one of ${fields.territoryId}'s, or none` });
  }
  const zone = territory?.timeZone ?? current.timeZone;
  const startsAt = given.starts !== undefined ? instantOf("starts", given.starts, zone, problems) : current.startsAt;
  const endsAt = given.ends === undefined ? current.endsAt : given.ends === null ? null : instantOf("ends", given.ends, zone, problems);
  checkTimes(ctx, startsAt, endsAt, given.starts !== undefined, problems);
  if (problems.length > 0) throw new MeetingInputError(problems);
  if (given.starts !== undefined) fields.startsAt = startsAt;
  if (given.ends !== undefined) fields.endsAt = endsAt;
  // Saved only if nobody changed or cancelled it since it was read: a title map merged from a stale read would drop their change.
  // Moved: those coming hear the new time (the repository writes the notice with the change), and
  // their reminders are planned again for it.
  const updated = await updateMeetingFields(ctx.prisma, current.id, current.updatedAt, fields, (ctx.now ?? (() => new Date()))());
  if (updated) return meeting(updated);
  const now = await showMeeting(ctx, id);
  throw now.status === "cancelled" ? new MeetingCancelledError(now.id, now.cancelledAt) : new MeetingChangedError(now.id);
}

/** Cancels a meeting (it is no longer offered); cancelling one already cancelled changes nothing. */
export async function cancelMeeting(ctx: MeetingsContext, id: string): Promise<{ meeting: Meeting; alreadyCancelled: boolean }> {
  const current = await showMeeting(ctx, id);
  // Those coming are told (the notice is written with the cancellation).
  const cancelled = await markMeetingCancelled(ctx.prisma, current.id, (ctx.now ?? (() => new Date()))());
  return { meeting: await showMeeting(ctx, id), alreadyCancelled: !cancelled };
}

/** Meetings soonest first: those not yet over unless `all`, of one territory if given. */
export async function listMeetings(ctx: MeetingsContext, filter: MeetingFilter = {}): Promise<Meeting[]> {
  const given = parse(MeetingFilter, filter);
  if (given.territory !== undefined) {
    const problems: MeetingProblem[] = [];
    await territoryOf(ctx, given.territory, problems);
    if (problems.length > 0) throw new MeetingInputError(problems);
  }
  const rows = await listMeetingRows(ctx.prisma, {
    ...(given.territory ? { territoryId: given.territory } : {}),
    ...(given.all ? {} : { endingFrom: (ctx.now ?? (() => new Date()))() }),
  });
  return rows.map(meeting);
}

/** One meeting with every field and its RSVP counts; throws MeetingNotFoundError. */
export async function showMeeting(ctx: MeetingsContext, id: string): Promise<Meeting> {
  if (!UUID.test(id)) throw new MeetingInputError([{ field: "id", message: `"${id}" is not a meeting id: a meeting id is a UUID, as \`inloco event create\` prints` }]);
  const row = await findMeeting(ctx.prisma, id);
  if (!row) throw new MeetingNotFoundError(id);
  return meeting(row);
}

async function scheduledMeeting(ctx: MeetingsContext, id: string): Promise<Meeting> {
  const current = await showMeeting(ctx, id);
  if (current.status === "cancelled") throw new MeetingCancelledError(current.id, current.cancelledAt);
  return current;
}

function meeting(row: MeetingRow): Meeting {
  return { ...row, starts: localTimeOf(row.startsAt, row.timeZone), ends: row.endsAt ? localTimeOf(row.endsAt, row.timeZone) : null };
}

/** Input through its schema, or a MeetingInputError naming each field (for callers that skip the types). */
function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new MeetingInputError(result.error.issues.map((i) => ({ field: String(i.path[0] ?? "input"), message: i.message })));
}

async function territoryOf(ctx: MeetingsContext, id: string, problems: MeetingProblem[]): Promise<MeetingTerritory | undefined> {
  const territory = await findMeetingTerritory(ctx.prisma, id);
  if (territory) return territory;
  const known = (await territoryIds(ctx.prisma)).join(", ") || "none yet: `inloco db seed` loads the demo ones";
  problems.push({ field: "territory", message: `unknown territory "${id}" (known: ${known})` });
  return undefined;
}

// A task force by its id, or by its name among the territory's (what a coordinator knows it by).
async function taskForceOf(id: string | null, territory: MeetingTerritory | undefined, ctx: MeetingsContext, problems: MeetingProblem[]): Promise<string | null> {
  if (id === null) return null;
  // The territory's list is read only when the id isn't one: a name, or a mistake to answer with the list.
  const byId = UUID.test(id) ? await findMeetingTaskForce(ctx.prisma, id) : null;
  const local = byId || !territory ? [] : await taskForcesIn(ctx.prisma, territory.id);
  const taskForce = byId ?? local.find((t) => t.name.toLowerCase() === id.trim().toLowerCase());
  if (!taskForce) {
    const known = local.map((t) => `"${t.name}" ${t.id}`).join(", ");
    problems.push({ field: "taskForce", message: `no task force "${id}" (an id or a name${territory ? `; ${territory.id} has ${known || "none"}` : ""})` });
  } else if (territory && taskForce.territoryId !== territory.id) {
    problems.push({ field: "taskForce", message: `task force "${taskForce.name}" works in ${taskForce.territoryId}, not ${territory.id}` });
  }
  return taskForce?.id ?? null;
}

/** The texts with offered languages only; "" kept (meaning "remove") only when `removable`. */
function checkTexts(ctx: MeetingsContext, field: string, given: Record<string, string>, problems: MeetingProblem[], removable = false): Record<string, string> {
  for (const [language, text] of Object.entries(given)) {
    if (!ctx.languages.includes(language)) problems.push({ field, message: `"${language}" is not a language the project offers (${ctx.languages.join(", ")})` });
    else if (text === "" && !removable) problems.push({ field, message: `the ${language} ${field} is empty: write it as ${language}=<text>` });
  }
  return given;
}

/** `current` with `changes` applied: a language given "" is removed. */
function merge(current: Record<string, string>, changes: Record<string, string>): Record<string, string> {
  const merged = { ...current, ...changes };
  return Object.fromEntries(Object.entries(merged).filter(([, text]) => text !== ""));
}

// `knownZone` undefined: the territory is unknown (reported on its own); the time is still checked for its form.
function instantOf(field: "starts" | "ends", local: string, knownZone: string | undefined, problems: MeetingProblem[]): Date | undefined {
  const timeZone = knownZone ?? "UTC";
  const instant = instantOfLocalTime(local, timeZone);
  if (instant instanceof Date) return instant;
  const why = {
    malformed: `"${local}" is not a date and time: write it as "${LOCAL_TIME_FORMAT}" on the territory's clocks${knownZone ? ` (${knownZone})` : ""}, e.g. "2027-03-28 10:00"`,
    "no-such-date": `"${local}" is not a date on the calendar: write it as "${LOCAL_TIME_FORMAT}", e.g. "2027-03-28 10:00"`,
    skipped: `"${local}" doesn't exist in ${timeZone}: the clocks skip that hour when summer time starts; choose another time`,
  }[instant];
  problems.push({ field, message: why });
  return undefined;
}

function checkTimes(ctx: MeetingsContext, startsAt: Date | undefined, endsAt: Date | null | undefined, startsGiven: boolean, problems: MeetingProblem[]): void {
  const now = (ctx.now ?? (() => new Date()))();
  // Meetings are announced to come to: one already begun can't be created or moved into the past.
  if (startsGiven && startsAt && startsAt.getTime() <= now.getTime()) problems.push({ field: "starts", message: "is in the past: a meeting is announced before it happens" });
  if (startsAt && endsAt && endsAt.getTime() <= startsAt.getTime()) problems.push({ field: "ends", message: "must be after the start" });
}
