// The servers the pipeline benchmark runs on: a fresh, migrated and seeded PostgreSQL database and a
// Redis key prefix of its own, each from BENCH_/TEST_ URLs when set, else throwaway local servers.
// Also reads the CPU time PostgreSQL, Redis and the whole machine used, to say where a run's time went.
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { Redis } from "ioredis";
import { createDatabase, databaseUrl, dropDatabase } from "../../../src/db/admin.ts";
import { openDatabase, type Database } from "../../../src/db/index.ts";
import { seedDemo } from "../../../src/repos/seed.ts";
import { startPostgres, type ThrowawayPostgres } from "../../support/postgres.ts";
import { startRedis, type ThrowawayRedis } from "../../support/redis.ts";

export interface BenchDatabase {
  db: Database;
  /** URL of the benchmark's own database. */
  url: string;
  /** How it was set up, in a few words. */
  setup: string;
  /** The throwaway server's port (its processes' CPU time can be read), or undefined for a given server. */
  localPort: number | undefined;
  dispose(): Promise<void>;
}

/** A fresh database (migrated, demo data loaded) on BENCH_DATABASE_URL, TEST_DATABASE_URL or a throwaway cluster. */
export async function benchDatabase(): Promise<BenchDatabase> {
  const given = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
  let server: ThrowawayPostgres | undefined;
  if (!given) server = await startPostgres();
  const adminUrl = given ?? (server as ThrowawayPostgres).url;
  const name = `inloco_bench_${randomBytes(6).toString("hex")}`;
  let created = false;
  try {
    await createDatabase(adminUrl, name);
    created = true;
    const url = databaseUrl(adminUrl, name);
    const db = await openDatabase({ url });
    await seedDemo(db.prisma);
    return {
      db,
      url,
      setup: given ? `server of ${given === process.env.BENCH_DATABASE_URL ? "BENCH" : "TEST"}_DATABASE_URL, fresh database` : "throwaway local cluster (fsync off)",
      localPort: server?.port,
      async dispose() {
        try {
          await db.close();
          await dropDatabase(adminUrl, name);
        } finally {
          await server?.stop();
        }
      },
    };
  } catch (error) {
    if (created) await dropDatabase(adminUrl, name).catch(() => {});
    await server?.stop();
    throw error;
  }
}

export interface BenchRedis {
  url: string;
  /** Key prefix of this run: every key the benchmark makes starts with it. */
  prefix: string;
  setup: string;
  /** A connection for INFO and cleanup. */
  admin: Redis;
  /** Deletes every key under the prefix (and the prefixes made from it, `<prefix>-<n>`), then stops a throwaway server. */
  dispose(): Promise<void>;
}

/** Redis from BENCH_REDIS_URL, TEST_REDIS_URL or a throwaway redis-server, with a prefix of our own. */
export async function benchRedis(): Promise<BenchRedis> {
  const given = process.env.BENCH_REDIS_URL || process.env.TEST_REDIS_URL;
  let server: ThrowawayRedis | undefined;
  if (!given) server = await startRedis();
  const url = given ?? (server as ThrowawayRedis).url;
  const prefix = `inloco-bench-${randomBytes(4).toString("hex")}`;
  const admin = new Redis(url, { maxRetriesPerRequest: 2 });
  return {
    url,
    prefix,
    setup: given ? `server of ${given === process.env.BENCH_REDIS_URL ? "BENCH" : "TEST"}_REDIS_URL, key prefix ${prefix}` : `throwaway redis-server (no persistence), key prefix ${prefix}`,
    admin,
    async dispose() {
      try {
        await deleteKeys(admin, prefix);
      } finally {
        await admin.quit().catch(() => admin.disconnect());
        await server?.stop();
      }
    },
  };
}

/** Deletes every key whose name starts with `prefix` (SCAN, then UNLINK in batches). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = "0";
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== "0");
  return deleted;
}

/** Redis' own CPU seconds so far (user + system), from INFO. */
export async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info("cpu");
  const read = (field: string) => Number(new RegExp(`^${field}:([\\d.]+)`, "m").exec(info)?.[1] ?? Number.NaN);
  return read("used_cpu_user") + read("used_cpu_sys");
}

/** Commands Redis has processed so far (INFO stats). */
export async function redisCommands(redis: Redis): Promise<number> {
  const info = await redis.info("stats");
  return Number(/^total_commands_processed:(\d+)/m.exec(info)?.[1] ?? Number.NaN);
}

const TICKS = 100; // USER_HZ on Linux

/** CPU seconds of a process from /proc (user + system), or NaN. */
function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU seconds used so far by each process of the throwaway PostgreSQL on `port`: its postmaster and
 * every process it started (backends, background workers), by pid. Pooled connections come and go
 * (pg closes idle ones), so compare two readings pid by pid: see `cpuBetween`.
 */
export function postgresCpu(port: number | undefined): Map<number, number> {
  const cpu = new Map<number, number>();
  if (port === undefined || process.platform !== "linux") return cpu;
  const pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d)).map(Number);
  const postmaster = pids.find((pid) => {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      return cmd[0]?.endsWith("postgres") === true && cmd.includes(`port=${port}`);
    } catch {
      return false;
    }
  });
  if (postmaster === undefined) return cpu;
  cpu.set(postmaster, processCpuSeconds(postmaster));
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === postmaster) cpu.set(pid, processCpuSeconds(pid));
    } catch {
      // Gone meanwhile.
    }
  }
  return cpu;
}

/** CPU seconds used between two readings of `postgresCpu` (NaN without readings: a server we did not start). */
export function cpuBetween(a: Map<number, number>, b: Map<number, number>): number {
  if (b.size === 0) return Number.NaN;
  let total = 0;
  for (const [pid, seconds] of b) if (Number.isFinite(seconds)) total += seconds - (a.get(pid) ?? 0);
  return total;
}

/** Busy and total CPU seconds of the whole machine so far (all cores, from /proc/stat). */
export function machineCpuSeconds(): { busy: number; total: number } {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: (total - idle) / TICKS, total: total / TICKS };
  } catch {
    return { busy: Number.NaN, total: Number.NaN };
  }
}
