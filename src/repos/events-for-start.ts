import type { InputPreparer } from "../conversation/conversations.ts";
import type { Input, Session } from "../engine/index.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A start gets the event it is about (and loses a territory the database doesn't know): the one its deep link names, or else the next one in the
 * person's territory, with title, time and place in the person's language as flow parameters
 * (`event`, `event_title`, `event_when`, `event_place`). Title and time come in every other
 * language too (`event_title@ar`, `event_when@ar`; those of `languages` and of the event's title):
 * a newcomer chooses their language only after the link, in the consent flow that runs first.
 */
/**
 * An answer at the entry flow's question (the menu) from a person whose conversation started without
 * an event, before they chose a territory: the next event there is looked up now, so "Answer an
 * invitation" finds it without a restart. Once per menu answer; nothing when the run has an event.
 */
async function lookUpNextEvent(prisma: PrismaClient, now: () => Date, languages: readonly string[], input: Extract<Input, { type: "text" | "choice" }>, session: Session): Promise<Input> {
  const outer = session.runs[0];
  const territory = session.contact.fields.territory;
  // Only at the entry flow's own questions: not inside a sub-flow, nor in a consent run put in front of one.
  if (session.status !== "active" || !session.wait || session.runs.length !== 1 || !outer || outer.then || outer.params.event !== undefined || !territory) return input;
  const event = await prisma.event.findFirst({ where: { territoryId: territory, status: "scheduled", startsAt: { gt: now() } }, orderBy: { startsAt: "asc" } });
  return event ? { ...input, facts: eventParams(event, session.contact.language, languages) } : input;
}

export function eventsForStart(prisma: PrismaClient, now: () => Date = () => new Date(), languages: readonly string[] = []): InputPreparer {
  return async (input, session) => {
    if (input.type === "text" || input.type === "choice") return lookUpNextEvent(prisma, now, languages, input, session);
    if (input.type !== "start") return input;
    // A link's territory that the database doesn't know (an old or mistyped poster) is dropped, so
    // the person is asked where they live instead of being left without a territory.
    const linked = input.params.territory;
    if (linked && !(await prisma.territory.findUnique({ where: { id: linked }, select: { id: true } }))) {
      const { territory: _unknown, ...rest } = input.params;
      input = { ...input, params: rest };
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
    return { ...input, params: { ...input.params, ...eventParams(event, session.contact.language, languages) } };
  };
}

type EventRow = NonNullable<Awaited<ReturnType<PrismaClient["event"]["findUnique"]>>>;

/** An event's id, title, time and place as flow params in `lang`, and what differs in other languages. */
function eventParams(event: EventRow, lang: string, languages: readonly string[]): Record<string, string> {
  const titles = (event.title ?? {}) as Record<string, string>;
  const title = (l: string) => titles[l] ?? titles[event.baseLanguage] ?? titles.en ?? Object.values(titles)[0] ?? "";
  const when = (l: string) => {
    try {
      return new Intl.DateTimeFormat(l, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: event.timeZone }).format(event.startsAt);
    } catch {
      return "";
    }
  };
  const params: Record<string, string> = { event: event.id, event_title: title(lang), event_when: when(lang), event_place: event.place };
  // Only what differs from the person's current language, so a session stays small.
  for (const l of new Set([...languages, ...Object.keys(titles)])) {
    if (l === lang) continue;
    if (title(l) !== params.event_title) params[`event_title@${l}`] = title(l);
    const w = when(l);
    if (w && w !== params.event_when) params[`event_when@${l}`] = w;
  }
  return params;
}
