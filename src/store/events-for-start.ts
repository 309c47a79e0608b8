import type { InputPreparer } from "../conversation/conversations.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A start gets the event it is about (and loses a territory the database doesn't know): the one its deep link names, or else the next one in the
 * person's territory, with title, time and place in the person's language as flow parameters
 * (`event`, `event_title`, `event_when`, `event_place`). Title and time come in every other
 * language too (`event_title@ar`, `event_when@ar`; those of `languages` and of the event's title):
 * a newcomer chooses their language only after the link, in the consent flow that runs first.
 */
export function eventsForStart(prisma: PrismaClient, now: () => Date = () => new Date(), languages: readonly string[] = []): InputPreparer {
  return async (input, session) => {
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
        ? await prisma.event.findUnique({ where: { id: named } })
        : null
      : territory
        ? await prisma.event.findFirst({ where: { territoryId: territory, startsAt: { gt: now() } }, orderBy: { startsAt: "asc" } })
        : null;
    if (!event) {
      // A link to an event that doesn't exist is a plain start, not an error the person sees.
      const { event: _unknown, ...params } = input.params;
      return { ...input, params, ...(named ? { flow: undefined } : {}) };
    }
    const lang = session.contact.language;
    const titles = (event.title ?? {}) as Record<string, string>;
    const title = (l: string) => titles[l] ?? titles.en ?? Object.values(titles)[0] ?? "";
    const when = (l: string) => {
      try {
        return new Intl.DateTimeFormat(l, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: event.timeZone }).format(event.startsAt);
      } catch {
        return "";
      }
    };
    const params: Record<string, string> = { ...input.params, event: event.id, event_title: title(lang), event_when: when(lang), event_place: event.place };
    // Only what differs from the person's current language, so a session stays small.
    for (const l of new Set([...languages, ...Object.keys(titles)])) {
      if (l === lang) continue;
      if (title(l) !== params.event_title) params[`event_title@${l}`] = title(l);
      const w = when(l);
      if (w && w !== params.event_when) params[`event_when@${l}`] = w;
    }
    return { ...input, params };
  };
}
