import type { PrismaClient } from "../generated/prisma/client.ts";

// Demo data modelled on the pilot: four territories in Piedmont (a city, two rural areas, a town),
// a task force in each, the organisations that take part, and an upcoming meeting.
const TERRITORIES = [
  { id: "torino", name: "Torino", region: "Piemonte", kind: "urban", timeZone: "Europe/Rome" },
  { id: "valsusa", name: "Val di Susa", region: "Piemonte", kind: "rural", timeZone: "Europe/Rome" },
  { id: "cuneo", name: "Cuneo e valli", region: "Piemonte", kind: "rural", timeZone: "Europe/Rome" },
  { id: "asti", name: "Asti e Monferrato", region: "Piemonte", kind: "urban", timeZone: "Europe/Rome" },
] as const;

const TASK_FORCES = [
  { territoryId: "torino", name: "Task force Torino", kind: "local", slackChannel: "C0TORINO" },
  { territoryId: "valsusa", name: "Task force Val di Susa", kind: "rural", slackChannel: "C0VALSUSA" },
  { territoryId: "cuneo", name: "Task force Cuneo", kind: "rural", slackChannel: "C0CUNEO" },
  { territoryId: "asti", name: "Task force Asti", kind: "local", slackChannel: "C0ASTI" },
] as const;

const ORGANISATIONS = [
  { name: "Comune di Bussoleno", kind: "municipality", taskForce: "Task force Val di Susa", role: "coordinator" },
  { name: "Associazione Mondi in Città", kind: "civil_society", taskForce: "Task force Torino", role: "coordinator" },
  { name: "Università di Torino – Dip. Culture, Politica e Società", kind: "academic", taskForce: "Task force Torino", role: "observer" },
  { name: "Cooperativa Agricola Valli Unite", kind: "employer", taskForce: "Task force Cuneo", role: "member" },
  { name: "Comunità Eritrea di Asti", kind: "migrant_led", taskForce: "Task force Asti", role: "member" },
] as const;

/** The id of the demo event, stable so deep links on test posters keep working. */
export const DEMO_EVENT_ID = "6f1d2c3b-0a4e-4f5d-9c8b-7a6e5d4c3b2a";

/** What `seedDemo` loaded: counts, and the ids a poster needs. */
export interface Seeded {
  territories: number;
  taskForces: number;
  organisations: number;
  events: number;
  territoryIds: string[];
  event: { id: string; title: string; territoryId: string; startsAt: Date };
}

/** Load the demo territories, task forces, organisations and an event (safe to run again). */
export async function seedDemo(prisma: PrismaClient, now = new Date()): Promise<Seeded> {
  for (const t of TERRITORIES) await prisma.territory.upsert({ where: { id: t.id }, create: { ...t }, update: { ...t } });
  const forces = new Map<string, string>();
  for (const f of TASK_FORCES) {
    const row = await prisma.taskForce.upsert({
      where: { territoryId_name: { territoryId: f.territoryId, name: f.name } },
      create: { ...f },
      update: { kind: f.kind, slackChannel: f.slackChannel },
    });
    forces.set(f.name, row.id);
  }
  for (const o of ORGANISATIONS) {
    const org = await prisma.organisation.upsert({ where: { name: o.name }, create: { name: o.name, kind: o.kind }, update: { kind: o.kind } });
    const taskForceId = forces.get(o.taskForce) as string;
    await prisma.membership.upsert({
      where: { organisationId_taskForceId: { organisationId: org.id, taskForceId } },
      create: { organisationId: org.id, taskForceId, role: o.role },
      update: { role: o.role },
    });
  }
  // Next Tuesday at 18:00 Rome time (17:00 UTC in winter is close enough for a demo).
  const startsAt = new Date(now);
  startsAt.setUTCDate(startsAt.getUTCDate() + ((9 - startsAt.getUTCDay()) % 7 || 7));
  startsAt.setUTCHours(17, 0, 0, 0);
  const event = {
    title: {
      en: "Val di Susa task force meeting",
      it: "Incontro della task force Val di Susa",
      ar: "اجتماع فريق عمل فال دي سوزا",
      fa: "جلسهٔ گروه کاری وال دی سوزا",
      uk: "Зустріч робочої групи Валь-ді-Суза",
      ti: "ኣኼባ ጉጅለ ዕዮ ቫል ዲ ሱዛ",
      fr: "Réunion du groupe de travail Val di Susa",
    },
    description: {
      en: "Newcomers, associations and the municipality plan the winter together.",
      it: "Nuovi arrivati, associazioni e Comune organizzano insieme l'inverno.",
      ar: "القادمون الجدد والجمعيات والبلدية يخططون معاً لفصل الشتاء.",
      fa: "تازه‌واردان، انجمن‌ها و شهرداری با هم برای زمستان برنامه‌ریزی می‌کنند.",
      uk: "Новоприбулі, організації та громада разом планують зиму.",
      ti: "ሓደስቲ መጻእቲ፣ ማሕበራትን ምምሕዳርን ብሓባር ንክረምቲ ይሰርሑ።",
      fr: "Nouveaux arrivants, associations et mairie préparent l'hiver ensemble.",
    },
    startsAt,
    endsAt: new Date(startsAt.getTime() + 2 * 3600_000),
    timeZone: "Europe/Rome",
    place: "Biblioteca civica, Bussoleno",
    territoryId: "valsusa",
    capacity: 40,
  };
  await prisma.event.upsert({ where: { id: DEMO_EVENT_ID }, create: { id: DEMO_EVENT_ID, ...event }, update: event });
  return {
    territories: TERRITORIES.length,
    taskForces: TASK_FORCES.length,
    organisations: ORGANISATIONS.length,
    events: 1,
    territoryIds: TERRITORIES.map((t) => t.id),
    event: { id: DEMO_EVENT_ID, title: event.title.en, territoryId: event.territoryId, startsAt },
  };
}

/** What `inloco db seed` prints: what was created, and the ids to make posters with. */
export function seededReport(s: Seeded): string {
  return [
    `seeded ${s.territories} territories, ${s.taskForces} task forces, ${s.organisations} organisations, ${s.events} event`,
    `territories: ${s.territoryIds.join(", ")}`,
    `event: ${s.event.id} "${s.event.title}" in ${s.event.territoryId}, ${s.event.startsAt.toISOString()}`,
    `a poster: npx inloco poster --territory ${s.event.territoryId}   (an event's: add --event ${s.event.id})`,
  ].join("\n");
}
