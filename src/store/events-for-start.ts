import type { InputPreparer } from "../conversation/conversations.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A start gets the event it is about: the one its deep link names, or else the next one in the
 * person's territory, with title, time and place in the person's language as flow parameters
 * (`event`, `event_title`, `event_when`, `event_place`).
 */
export function eventsForStart(prisma: PrismaClient, now: () => Date = () => new Date()): InputPreparer {
  return async (input, session) => {
    if (input.type !== "start") return input;
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
    const pick = (texts: unknown) => {
      const t = (texts ?? {}) as Record<string, string>;
      return t[lang] ?? t.en ?? Object.values(t)[0] ?? "";
    };
    const when = new Intl.DateTimeFormat(lang, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: event.timeZone }).format(event.startsAt);
    return { ...input, params: { ...input.params, event: event.id, event_title: pick(event.title), event_when: when, event_place: event.place } };
  };
}
