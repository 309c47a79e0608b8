import type { PrismaClient } from "../generated/prisma/client.ts";

/** The database answers a query (for /healthz). */
export async function databaseAnswers(prisma: PrismaClient): Promise<true> {
  await prisma.$queryRaw`SELECT 1`;
  return true;
}
