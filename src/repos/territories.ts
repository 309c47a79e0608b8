import type { Sql } from "../db/index.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";

/** The ids of the territories the project works in, in order. */
export async function territoryIds(prisma: PrismaClient): Promise<string[]> {
  return (await prisma.territory.findMany({ select: { id: true }, orderBy: { id: "asc" } })).map((t) => t.id);
}

/** Whether no territory exists yet (a fresh database, before `inloco db seed`). */
export async function noTerritories(prisma: PrismaClient): Promise<boolean> {
  return (await prisma.territory.count()) === 0;
}

/** The territory of an event (null: every territory), or undefined when there is no such event. */
export async function eventTerritory(prisma: PrismaClient, eventId: string): Promise<string | null | undefined> {
  const event = await prisma.event.findUnique({ where: { id: eventId }, select: { territoryId: true } });
  return event ? event.territoryId : undefined;
}

/** Every territory's time zone, by id. */
export async function territoryZones(sql: Sql): Promise<Map<string, string>> {
  const { rows } = await sql.query<{ id: string; time_zone: string }>("SELECT id, time_zone FROM territories ORDER BY id");
  return new Map(rows.map((r) => [r.id, r.time_zone]));
}

/** Every territory, with its name and time zone, by id. */
export async function listTerritories(sql: Sql): Promise<Array<{ id: string; name: string; time_zone: string }>> {
  return (await sql.query<{ id: string; name: string; time_zone: string }>("SELECT id, name, time_zone FROM territories ORDER BY name")).rows;
}
