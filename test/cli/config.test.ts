// Configuration is checked before anything starts: a wrong variable is named, with what it should look like.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { PROJECT_ROOT } from "../../src/app/runtime.ts";
import { createDatabase, databaseUrl, dropDatabase, withClient } from "../../src/db/admin.ts";

function start(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const dataDir = mkdtempSync(join(tmpdir(), "inloco-config-"));
    execFile(process.execPath, [join(PROJECT_ROOT, "src", "cli", "inloco.js"), "start"], { env: { ...process.env, INLOCO_DATA_DIR: dataDir, ...env }, timeout: 60_000 }, (error, _stdout, stderr) =>
      {
        rmSync(dataDir, { recursive: true, force: true });
        resolve({ code: error ? Number(error.code ?? 1) : 0, stderr });
      },
    );
  });
}

describe("inloco start refuses bad configuration with a clear message", () => {
  it.each([
    [{ PORT: "eighty" }, /PORT: a port number, e\.g\. 8080/],
    [{ INLOCO_LANGUAGES: "en,xx" }, /INLOCO_LANGUAGES: no texts for xx/],
    [{ INLOCO_TIME_ZONE: "Mars/Olympus" }, /INLOCO_TIME_ZONE: an IANA time zone like Europe\/Rome/],
    [{ TELEGRAM_BOT_TOKEN: "not-a-token" }, /TELEGRAM_BOT_TOKEN: a bot token from @BotFather/],
    [{ TELEGRAM_BOT_TOKEN: "123456789:AAHabcdefghijklmnopqrstuvwxyz0123456", TELEGRAM_WEBHOOK_URL: "https://bot.example.org/tg" }, /TELEGRAM_WEBHOOK_SECRET: required with TELEGRAM_WEBHOOK_URL/],
    [{ REDIS_URL: "localhost:6379" }, /REDIS_URL: a redis:\/\/ or rediss:\/\/ URL/],
    [{ INLOCO_REMINDER_AFTER: "tomorrow" }, /INLOCO_REMINDER_AFTER: a duration like 20h/],
    [{ INLOCO_DELIVERY_RECORDS_KEEP: "6h" }, /INLOCO_DELIVERY_RECORDS_KEEP: at least a day \(1d\)/],
    [{ INLOCO_ANSWERS_KEEP: "a year" }, /INLOCO_ANSWERS_KEEP: a duration like 20h/],
    [{ INLOCO_ANSWERS_KEEP: "12h" }, /INLOCO_ANSWERS_KEEP: at least a day \(1d\)/],
    [
      { DATABASE_URL: "postgres://inloco:secret@127.0.0.1:9/inloco", INLOCO_HASH_KEY: "a".repeat(64), INLOCO_ENCRYPTION_KEY: "b".repeat(64) },
      /DatabaseUnreachableError: Cannot use the database at postgres:\/\/inloco:\*\*\*@127\.0\.0\.1:9\/inloco: .*Check DATABASE_URL/,
    ],
    [{ REDIS_URL: "redis://127.0.0.1:9" }, /Cannot use Redis at redis:\/\/127\.0\.0\.1:9.*Check REDIS_URL/],
  ])("%j", async (env, message) => {
    const { code, stderr } = await start(env);
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
  });
});

describe("a missing identity key with DATABASE_URL", () => {
  it("stops the start with the key's name before Redis or the database is touched", async () => {
    // An empty database (not the migrated template): a migration that ran would leave tables in it.
    const adminUrl = inject("postgresAdminUrl");
    const name = `inloco_nokey_${process.pid}_${Date.now()}`;
    await createDatabase(adminUrl, name);
    try {
      const url = databaseUrl(adminUrl, name);
      // Redis is unreachable: had the start opened the queues first, it would fail on Redis instead.
      const { code, stderr } = await start({ DATABASE_URL: url, REDIS_URL: "redis://127.0.0.1:9", INLOCO_HASH_KEY: "", INLOCO_ENCRYPTION_KEY: "b".repeat(64) });
      expect(code).toBe(1);
      expect(stderr).toMatch(/INLOCO_HASH_KEY is not set\. With DATABASE_URL set, keys are not generated/);
      expect(stderr).not.toMatch(/Cannot use Redis/);
      const tables = await withClient(url, async (c) => (await c.query<{ n: string }>("SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'")).rows[0]?.n);
      expect(tables, "no migration ran").toBe("0");
    } finally {
      await dropDatabase(adminUrl, name);
    }
  });
});
