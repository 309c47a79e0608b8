import type { AnswerValue, Lexicon } from "../engine/index.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import { PermanentJobError } from "../queue/errors.ts";
import type { Job } from "../queue/types.ts";
import type { IngestJob } from "../pipeline/jobs.ts";
import { categorize } from "./categorize.ts";

export interface IngestDeps {
  prisma: PrismaClient;
  /** Keyword rules for categories (the locale texts). */
  rules: Lexicon;
  log: (line: string) => void;
}

/** Turn conversation events into stakeholder data. Every effect happens once, whatever the retries. */
export function ingestProcessor(deps: IngestDeps) {
  return async (job: Job<IngestJob>): Promise<void> => {
    const e = job.data;
    switch (e.name) {
      case "feedback.submitted":
        return feedback(deps, job.id, e);
      case "flow.started":
        return count(deps.prisma, job.id, e, e.flow, "started");
      case "survey.completed":
        return count(deps.prisma, job.id, e, typeof e.data.survey === "string" ? e.data.survey : e.flow, "completed");
      case "rsvp.recorded":
        return rsvp(deps.prisma, job.id, e);
      default:
        deps.log(`ingest ${job.id}: nothing to do for ${e.name}`);
    }
  };
}

const choice = (v: unknown): string | undefined => ((v as AnswerValue | null)?.kind === "choice" ? (v as { choices: string[] }).choices[0] : undefined);

async function feedback(deps: IngestDeps, id: string, e: IngestJob): Promise<void> {
  const value = e.data.text as AnswerValue | null;
  const text = value?.kind === "text" ? value.text.replace(/\s+/g, " ").trim() : null;
  const mediaRef = value?.kind === "media" ? value.ref : null;
  // The person's own choice wins; otherwise the keyword rules of their language decide.
  const category = choice(e.data.category) ?? (text ? categorize(text, e.language, deps.rules) : "other");
  const contact = await deps.prisma.contact.findUnique({ where: { id: e.contactId }, select: { territoryId: true } });
  if (!contact) return; // erased before this was processed: keep nothing
  const taskForce = contact.territoryId
    ? await deps.prisma.taskForce.findFirst({ where: { territoryId: contact.territoryId }, orderBy: { name: "asc" }, select: { id: true } })
    : null;
  await deps.prisma.feedback.createMany({
    data: [
      {
        sourceEventId: id,
        contactId: e.contactId,
        text,
        mediaRef,
        category,
        language: e.language,
        territoryId: contact.territoryId,
        taskForceId: taskForce?.id ?? null,
        contactBack: choice(e.data.contact_back) === "yes",
        createdAt: new Date(e.at),
      },
    ],
    skipDuplicates: true,
  });
}

async function count(prisma: PrismaClient, id: string, e: IngestJob, flowId: string, what: "started" | "completed"): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const { count: fresh } = await tx.ingestReceipt.createMany({ data: [{ eventId: id, kind: e.name }], skipDuplicates: true });
    if (fresh === 0 || !e.territory) return;
    const territory = await tx.territory.findUnique({ where: { id: e.territory }, select: { id: true } });
    if (!territory) return;
    await tx.territoryStats.upsert({
      where: { territoryId_flowId: { territoryId: territory.id, flowId } },
      create: { territoryId: territory.id, flowId, [what]: 1 },
      update: { [what]: { increment: 1 } },
    });
  });
}

const RSVP = new Set(["yes", "no", "maybe"]);
const REMINDER = new Set(["day_before", "hour_before", "none"]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function rsvp(prisma: PrismaClient, id: string, e: IngestJob): Promise<void> {
  const eventId = typeof e.data.event === "string" ? e.data.event : "";
  const answer = choice(e.data.answer);
  if (!UUID.test(eventId) || !answer || !RSVP.has(answer)) throw new PermanentJobError(`rsvp ${id}: no such event or answer (${eventId}, ${answer})`);
  const event = await prisma.event.findUnique({ where: { id: eventId }, select: { id: true } });
  if (!event) throw new PermanentJobError(`rsvp ${id}: event ${eventId} does not exist`);
  const contact = await prisma.contact.findUnique({ where: { id: e.contactId }, select: { id: true } });
  if (!contact) return;
  const reminder = choice(e.data.reminder);
  const data = { answer: answer as "yes" | "no" | "maybe", reminder: (reminder && REMINDER.has(reminder) ? reminder : "none") as "day_before" | "hour_before" | "none" };
  await prisma.rsvp.upsert({ where: { eventId_contactId: { eventId, contactId: e.contactId } }, create: { eventId, contactId: e.contactId, ...data }, update: data });
}
