import type { InputPreparer } from "../conversation/conversations.ts";
import { meetingTitle, meetingWhen } from "../messages/meeting.ts";
import type { Input, Session } from "../engine/index.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An answer at the entry flow's question (the menu): what its options need from the database, looked
 * up now (once per menu answer), since the engine knows only the answer. The next event of the
 * person's territory, for "Answer an invitation" (chosen after the start, the territory is known
 * only now; nothing when the run has an event), and the person's coming meetings, for "My meetings".
 */
async function lookUpForMenu(prisma: PrismaClient, now: () => Date, languages: readonly string[], input: Extract<Input, { type: "text" | "choice" }>, session: Session, contactId: string | undefined): Promise<Input> {
  const outer = session.runs[0];
  const territory = session.contact.fields.territory;
  // Only at the entry flow's own questions: not inside a sub-flow, nor in a consent run put in front of one.
  if (session.status !== "active" || !session.wait || session.runs.length !== 1 || !outer || outer.then) return input;
  const lang = session.contact.language;
  let facts: Record<string, string> = {};
  if (outer.params.event === undefined && territory) {
    const event = await prisma.event.findFirst({ where: { territoryId: territory, status: "scheduled", startsAt: { gt: now() } }, orderBy: { startsAt: "asc" } });
    if (event) facts = { ...eventParams(event, lang, languages), ...(await isFull(prisma, event, contactId)) };
  }
  if (outer.params.mine === undefined && contactId) facts = { ...facts, ...(await myMeetings(prisma, now, languages, lang, contactId)) };
  return Object.keys(facts).length > 0 ? { ...input, facts } : input;
}

/** The flow that shows a person's meetings (flows/my_meetings.yaml). */
const MY_MEETINGS_FLOW = "my_meetings";

/** At most this many meetings in "My meetings": a short list on a small screen. */
export const MY_MEETINGS_MAX = 5;

/**
 * The coming, scheduled meetings a person said yes or maybe to (or is on the waiting list of), soonest
 * first, as params: `mine` (how many), then for the n-th `mine_<n>` (its id), `mine_<n>_title`,
 * `_when`, `_place` (in every language, as an event's), `_said` (yes, maybe or waitlist) and
 * `_full` ("yes" when a yes now would go on the waiting list).
 */
async function myMeetings(prisma: PrismaClient, now: () => Date, languages: readonly string[], lang: string, contactId: string): Promise<Record<string, string>> {
  const rsvps = await prisma.rsvp.findMany({
    where: { contactId, answer: { in: ["yes", "maybe", "waitlist"] }, event: { status: "scheduled", startsAt: { gt: now() } } },
    include: { event: true },
    orderBy: [{ event: { startsAt: "asc" } }, { eventId: "asc" }],
    take: MY_MEETINGS_MAX,
  });
  // A person with a place keeps it; for the others, the yes answers of a meeting with a capacity.
  const counted = rsvps.filter((r) => r.answer !== "yes" && r.event.capacity !== null).map((r) => r.eventId);
  const yes = counted.length === 0 ? [] : await prisma.rsvp.groupBy({ by: ["eventId"], where: { eventId: { in: counted }, answer: "yes" }, _count: { _all: true } });
  const taken = new Map(yes.map((g) => [g.eventId, g._count._all]));
  const facts: Record<string, string> = { mine: String(rsvps.length) };
  rsvps.forEach((r, i) => {
    const prefix = `mine_${i + 1}`;
    Object.assign(facts, eventParams(r.event, lang, languages, prefix), { [`${prefix}_said`]: r.answer });
    if (r.answer !== "yes" && r.event.capacity !== null && (taken.get(r.eventId) ?? 0) >= r.event.capacity) facts[`${prefix}_full`] = "yes";
  });
  return facts;
}

/**
 * An answer to "Will you come?": whether the meeting is full is looked up again now, not taken from
 * when the invitation went out (a broadcast invites everyone before anyone answers). Undefined when
 * the person isn't answering that question.
 */
async function fullNow(prisma: PrismaClient, input: Extract<Input, { type: "text" | "choice" }>, session: Session, contactId: string | undefined): Promise<Input | undefined> {
  const run = session.runs.at(-1);
  const eventId = run?.params.event;
  if (session.status !== "active" || run?.flow !== RSVP_FLOW || session.wait?.node !== RSVP_QUESTION || !eventId || !UUID.test(eventId)) return undefined;
  const event = await prisma.event.findUnique({ where: { id: eventId } });
  if (!event) return input;
  // "" is "not full": it replaces a "yes" the invitation may have carried.
  return { ...input, facts: { event_full: (await isFull(prisma, event, contactId)).event_full ?? "" } };
}

/** The RSVP flow and its question (flows/rsvp.yaml). */
const RSVP_FLOW = "rsvp";
const RSVP_QUESTION = "attend";

/** `event_full: "yes"` when a yes from this person would go on the meeting's waiting list (see saveRsvp). */
async function isFull(prisma: PrismaClient, event: EventRow, contactId: string | undefined): Promise<Record<string, string>> {
  if (event.capacity === null) return {};
  const [taken, own] = await Promise.all([
    prisma.rsvp.count({ where: { eventId: event.id, answer: "yes", ...(contactId ? { contactId: { not: contactId } } : {}) } }),
    contactId ? prisma.rsvp.findUnique({ where: { eventId_contactId: { eventId: event.id, contactId } }, select: { answer: true } }) : null,
  ]);
  return own?.answer !== "yes" && taken >= event.capacity ? { event_full: "yes" } : {};
}

/**
 * A start gets the event it is about (and loses a territory the database doesn't know): the one its deep link names, or else the next one in the
 * person's territory, with title, time and place in the person's language as flow parameters
 * (`event`, `event_title`, `event_when`, `event_place`). Title and time come in every other
 * language too (`event_title@ar`, `event_when@ar`; those of `languages` and of the event's title):
 * a newcomer chooses their language only after the link, in the consent flow that runs first;
 * `event_full` when a yes from the person would go on the waiting list. At the menu, see lookUpForMenu.
 */
export function eventsForStart(prisma: PrismaClient, now: () => Date = () => new Date(), languages: readonly string[] = []): InputPreparer {
  return async (input, session, contactId) => {
    if (input.type === "text" || input.type === "choice") {
      const answering = await fullNow(prisma, input, session, contactId);
      return answering ?? lookUpForMenu(prisma, now, languages, input, session, contactId);
    }
    if (input.type !== "start") return input;
    // A link's territory that the database doesn't know (an old or mistyped poster) is dropped, so
    // the person is asked where they live instead of being left without a territory.
    const linked = input.params.territory;
    if (linked && !(await prisma.territory.findUnique({ where: { id: linked }, select: { id: true } }))) {
      const { territory: _unknown, ...rest } = input.params;
      input = { ...input, params: rest };
    }
    // A link straight to "My meetings" (`f-my_meetings`) needs the list as the menu's answer does.
    if (input.flow === MY_MEETINGS_FLOW && contactId) {
      return { ...input, params: { ...input.params, ...(await myMeetings(prisma, now, languages, session.contact.language, contactId)) } };
    }
    const named = input.params.event;
    const territory = input.params.territory ?? session.contact.fields.territory;
    const event = named
      ? UUID.test(named)
        ? // A cancelled meeting is no longer offered: its link is a plain start, as a missing one.
          await prisma.event.findFirst({ where: { id: named, status: "scheduled" } })
        : null
      : territory
        ? await prisma.event.findFirst({ where: { territoryId: territory, status: "scheduled", startsAt: { gt: now() } }, orderBy: { startsAt: "asc" } })
        : null;
    if (!event) {
      // A link to an event that doesn't exist is a plain start, not an error the person sees.
      const { event: _unknown, ...params } = input.params;
      return { ...input, params, ...(named ? { flow: undefined } : {}) };
    }
    return { ...input, params: { ...input.params, ...eventParams(event, session.contact.language, languages), ...(await isFull(prisma, event, contactId)) } };
  };
}

type EventRow = NonNullable<Awaited<ReturnType<PrismaClient["event"]["findUnique"]>>>;

/** An event's id, title, time and place as flow params in `lang` (`event`, `event_title`…, or another prefix), and what differs in other languages. */
function eventParams(event: EventRow, lang: string, languages: readonly string[], prefix = "event"): Record<string, string> {
  const titles = (event.title ?? {}) as Record<string, string>;
  const title = (l: string) => meetingTitle({ title: titles, baseLanguage: event.baseLanguage }, l);
  const when = (l: string) => meetingWhen(event, l);
  const params: Record<string, string> = { [prefix]: event.id, [`${prefix}_title`]: title(lang), [`${prefix}_when`]: when(lang), [`${prefix}_place`]: event.place };
  // Only what differs from the person's current language, so a session stays small.
  for (const l of new Set([...languages, ...Object.keys(titles)])) {
    if (l === lang) continue;
    if (title(l) !== params[`${prefix}_title`]) params[`${prefix}_title@${l}`] = title(l);
    const w = when(l);
    if (w && w !== params[`${prefix}_when`]) params[`${prefix}_when@${l}`] = w;
  }
  return params;
}
