import type { Command } from "commander";
import { ConversationSettings, readSettings } from "../config/env.ts";
import { openDatabase } from "../db/index.ts";
import {
  cancelMeeting,
  createMeeting,
  listMeetings,
  LOCAL_TIME_FORMAT,
  MeetingInputError,
  showMeeting,
  updateMeeting,
  type Meeting,
  type MeetingChanges,
  type MeetingProblem,
  type MeetingsContext,
} from "../meetings/index.ts";

interface MeetingOptions {
  territory?: string;
  title?: string[];
  description?: string[];
  starts?: string;
  ends?: string;
  place?: string;
  taskForce?: string;
  capacity?: string;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** `inloco event create|list|show|update|cancel`: coordinators manage task-force meetings. */
export function registerEvent(program: Command): void {
  const event = program.command("event").description("task-force meetings newcomers are invited to (times on the territory's clocks)");
  event
    .command("create")
    .description("create a meeting and print its id (only the id, on standard output)")
    .requiredOption("--territory <id>", "the territory it is in, e.g. valsusa")
    .requiredOption("--title <language=text>", "its title in a language, e.g. en=\"Task force meeting\"; repeat for each language, the first is the base language", collect)
    .requiredOption("--starts <time>", `when it starts, "${LOCAL_TIME_FORMAT}" on the territory's clocks`)
    .option("--ends <time>", `when it ends, "${LOCAL_TIME_FORMAT}"`)
    .requiredOption("--place <text>", "where, e.g. \"Biblioteca civica, Via Roma 12, Susa\"")
    .option("--task-force <id or name>", "the task force holding it, one of the territory's (a wrong one lists them)")
    .option("--capacity <n>", "how many people can come (default: no limit)")
    .option("--description <language=text>", "a description in a language; repeat for each language", collect)
    .action((o: MeetingOptions) =>
      withMeetings(async (ctx) => {
        const input = meetingInput(o);
        const created = await createMeeting(ctx, {
          territory: o.territory ?? "",
          title: input.title ?? {},
          starts: o.starts ?? "",
          place: o.place ?? "",
          ...(input.description ? { description: input.description } : {}),
          ...(input.ends ? { ends: input.ends } : {}),
          ...(input.taskForce ? { taskForce: input.taskForce } : {}),
          ...(input.capacity !== undefined ? { capacity: input.capacity } : {}),
        });
        console.log(created.id);
        console.error(`created meeting "${baseTitle(created)}" on ${created.starts} (${created.timeZone}) in ${created.territory.id}, at ${created.place}`);
      }),
    );
  event
    .command("list")
    .description("meetings not over yet, soonest first (with --all, past ones too)")
    .option("--territory <id>", "only this territory's")
    .option("--all", "past meetings too")
    .action((o: { territory?: string; all?: boolean }) =>
      withMeetings(async (ctx) => {
        const meetings = await listMeetings(ctx, { ...(o.territory ? { territory: o.territory } : {}), all: o.all === true });
        if (meetings.length === 0) {
          console.log(o.all ? "no meetings" : "no coming meetings (--all lists past ones too)");
          return;
        }
        console.log(table(meetings));
      }),
    );
  event
    .command("show")
    .description("every detail of a meeting, its titles in every language and how many answered yes, maybe and no")
    .argument("<id>", "the meeting's id")
    .action((id: string) => withMeetings(async (ctx) => console.log(details(await showMeeting(ctx, id)))));
  event
    .command("update")
    .description("change a meeting: only the options given change (a language given empty, --title fr=, is removed; --ends, --task-force, --capacity none clear)")
    .argument("<id>", "the meeting's id")
    .option("--territory <id>", "move it to another territory")
    .option("--title <language=text>", "set its title in a language; repeat for each", collect)
    .option("--starts <time>", `when it starts, "${LOCAL_TIME_FORMAT}" on the territory's clocks`)
    .option("--ends <time>", `when it ends, "${LOCAL_TIME_FORMAT}", or none`)
    .option("--place <text>", "where")
    .option("--task-force <id or name>", "the task force holding it, or none")
    .option("--capacity <n>", "how many people can come, or none")
    .option("--description <language=text>", "set its description in a language; repeat for each", collect)
    .action((id: string, o: MeetingOptions) =>
      withMeetings(async (ctx) => {
        const updated = await updateMeeting(ctx, id, meetingInput(o));
        console.log(details(updated));
        const coming = updated.rsvps.yes + updated.rsvps.maybe + updated.rsvps.waitlist;
        if (o.starts !== undefined && coming > 0) console.error(`${coming} who said yes or maybe (or wait for a place) will be told the new time; reminders are planned again for it.`);
      }),
    );
  event
    .command("cancel")
    .description("cancel a meeting: it is no longer offered to newcomers (it stays listed, as cancelled)")
    .argument("<id>", "the meeting's id")
    .action((id: string) =>
      withMeetings(async (ctx) => {
        const { meeting, alreadyCancelled } = await cancelMeeting(ctx, id);
        console.log(`${alreadyCancelled ? "was already cancelled" : "cancelled"}: meeting ${meeting.id} "${baseTitle(meeting)}" on ${meeting.starts} (${meeting.timeZone})`);
        const coming = meeting.rsvps.yes + meeting.rsvps.maybe + meeting.rsvps.waitlist;
        if (!alreadyCancelled && coming > 0) console.error(`${coming} who said yes or maybe (or wait for a place) will be told it is cancelled.`);
      }),
    );
}

/** Runs `work` with the service's context, the database closed after (an error goes on to reportAndExit). */
async function withMeetings(work: (ctx: MeetingsContext) => Promise<void>): Promise<void> {
  const { INLOCO_LANGUAGES } = readSettings(ConversationSettings);
  // attach: works while the app runs on the embedded database, as the other coordinator commands do.
  const db = await openDatabase({ attach: true });
  try {
    await work({ prisma: db.prisma, languages: INLOCO_LANGUAGES });
  } finally {
    await db.close();
  }
}

/** The options as the service's fields; malformed ones are refused here, all of them at once. */
function meetingInput(o: MeetingOptions): MeetingChanges {
  const problems: MeetingProblem[] = [];
  const title = o.title ? pairs("title", o.title, problems) : undefined;
  const description = o.description ? pairs("description", o.description, problems) : undefined;
  let capacity: number | null | undefined;
  if (o.capacity !== undefined) {
    if (o.capacity === "none") capacity = null;
    else if (/^\d+$/.test(o.capacity.trim())) capacity = Number(o.capacity);
    else problems.push({ field: "capacity", message: `"${o.capacity}" is not a number of people: a whole number above 0, e.g. 30, or none` });
  }
  if (problems.length > 0) throw new MeetingInputError(problems);
  const orNone = (v: string | undefined) => (v === undefined ? undefined : v === "none" ? null : v);
  return {
    ...(o.territory !== undefined ? { territory: o.territory } : {}),
    ...(title ? { title } : {}),
    ...(description ? { description } : {}),
    ...(o.starts !== undefined ? { starts: o.starts } : {}),
    ...(o.ends !== undefined ? { ends: orNone(o.ends) } : {}),
    ...(o.place !== undefined ? { place: o.place } : {}),
    ...(o.taskForce !== undefined ? { taskForce: orNone(o.taskForce) } : {}),
    ...(capacity !== undefined ? { capacity } : {}),
  };
}

/** `en=Some text` options as { en: "Some text" }, in the order given (the first is the base language). */
function pairs(field: string, values: string[], problems: MeetingProblem[]): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const value of values) {
    const m = /^\s*([a-z]{2,3})\s*=(.*)$/s.exec(value);
    if (!m) {
      problems.push({ field, message: `"${value}" should be <language>=<text>, e.g. --${field} en="Task force meeting"` });
      continue;
    }
    const [, language, text] = m as unknown as [string, string, string];
    if (language in texts) problems.push({ field, message: `${language} is given twice` });
    texts[language] = text.trim();
  }
  return texts;
}

function baseTitle(m: Meeting): string {
  return m.title[m.baseLanguage] ?? Object.values(m.title)[0] ?? "";
}

/** The list as aligned columns, one meeting a line. */
function table(meetings: Meeting[]): string {
  const rows = [
    ["WHEN", "TITLE", "PLACE", "TERRITORY", "YES", "MAYBE", "NO", "STATUS", "ID"],
    ...meetings.map((m) => [
      `${m.starts}${m.ends ? `–${m.ends.slice(m.ends.slice(0, 10) === m.starts.slice(0, 10) ? 11 : 0)}` : ""}`,
      baseTitle(m),
      m.place,
      m.territory.id,
      String(m.rsvps.yes),
      String(m.rsvps.maybe),
      String(m.rsvps.no),
      m.status,
      m.id,
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...r[i]!].length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]! + [...cell].length - cell.length))).join("  ")).join("\n");
}

/** Every field of a meeting, one a line; RSVPs only as counts. */
function details(m: Meeting): string {
  const line = (label: string, value: string) => `${`${label}:`.padEnd(15)}${value}`;
  // JSON columns don't keep the order languages were given in: the base language comes first.
  const inOrder = (texts: Record<string, string>) =>
    Object.entries(texts)
      .sort(([a], [b]) => Number(b === m.baseLanguage) - Number(a === m.baseLanguage) || a.localeCompare(b))
      .map(([l, t]) => `  ${l}: ${t}`);
  return [
    line("id", m.id),
    line("status", `${m.status}${m.cancelledAt ? ` (cancelled ${m.cancelledAt.toISOString()})` : ""}`),
    line("territory", `${m.territory.id} (${m.territory.name})`),
    line("task force", m.taskForce ? `${m.taskForce.name} (${m.taskForce.id})` : "none"),
    line("starts", `${m.starts} ${m.timeZone}`),
    line("ends", m.ends ? `${m.ends} ${m.timeZone}` : "not set"),
    line("place", m.place),
    line("capacity", m.capacity === null ? "no limit" : String(m.capacity)),
    line("base language", m.baseLanguage),
    "title:",
    ...inOrder(m.title),
    Object.keys(m.description).length ? "description:" : line("description", "none"),
    ...inOrder(m.description),
    line("rsvps", `yes ${m.rsvps.yes}, maybe ${m.rsvps.maybe}, no ${m.rsvps.no}${m.rsvps.waitlist > 0 ? `, waiting list ${m.rsvps.waitlist}` : ""}`),
    line("created", m.createdAt.toISOString()),
    line("updated", m.updatedAt.toISOString()),
  ].join("\n");
}
