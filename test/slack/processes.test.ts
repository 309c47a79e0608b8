// The weekly digest across processes: two `inloco worker` processes (the real CLI, BullMQ on Redis,
// PostgreSQL) both see a task force's digest come due at the same moment; each channel gets it once,
// its chart once in its thread; the week's new feedback is noticed once.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/app/runtime.ts";
import { generateKey, IdentityVault } from "../../src/db/index.ts";
import { consentGate } from "../../src/engine/index.ts";
import { seedPeople } from "../../src/seed/seed-people.ts";
import { shippedFlows, testContext } from "../support/engine.ts";
import { localTimeOf } from "../../src/meetings/local-time.ts";
import { seedDemo } from "../../src/repos/seed.ts";
import { createTestDatabase, testRedisUrl, type TestDatabase } from "../support/db.ts";
import { freePort } from "../support/free-port.ts";
import { deleteKeys, testPrefix } from "../queue/helpers.ts";
import { FakeSlack } from "./fake-slack.ts";

const DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const CHANNELS = ["C0TORINO", "C0VALSUSA", "C0CUNEO", "C0ASTI"];

let db: TestDatabase;
let slack: FakeSlack;
const children: ChildProcess[] = [];
const prefix = testPrefix();
const keys = { hash: generateKey(), encryption: generateKey() };

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemo(db.prisma);
  // People who answered the needs survey over the last weeks: something for each digest to show (and chart).
  const engine = testContext();
  await seedPeople({
    sql: db.sql,
    vault: new IdentityVault({ hashKey: Buffer.from(keys.hash, "base64"), encryptionKey: Buffer.from(keys.encryption, "base64") }),
    count: 1000,
    seed: 11,
    // Their times fall in the 90 days before this: some in the last two weeks.
    now: new Date(Date.now() + 14 * 86_400_000),
    languages: engine.languages,
    needs: shippedFlows(engine.texts).get("needs")!,
    context: { consentVersion: consentGate(engine)!.version, entryFlow: { id: "main", version: 2 } },
  });
  slack = await FakeSlack.start();
}, 60_000);

afterAll(async () => {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      const exited = once(c, "exit");
      c.kill("SIGKILL");
      await exited;
    }
  }
  await deleteKeys(testRedisUrl(), prefix).catch(() => undefined);
  await slack?.close();
  await db?.drop();
});

async function worker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(PROJECT_ROOT, "src", "cli", "inloco.js"), "worker"], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env, PORT: String(await freePort()) },
    stdio: ["ignore", "ignore", "inherit"],
  });
  children.push(child);
  return child;
}

describe("the weekly digest with two worker processes", () => {
  it("goes to each task force's channel once, with its chart once in the thread", { timeout: 120_000 }, async () => {
    // Its moment: an hour ago on Rome's clocks (every demo territory's), so both workers find it due at once.
    const hourAgo = new Date(Date.now() - 3_600_000);
    const local = localTimeOf(hourAgo, "Europe/Rome");
    const day = DAYS[new Date(`${local.slice(0, 10)}T00:00:00Z`).getUTCDay()] as string;
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: testRedisUrl(),
      INLOCO_QUEUE_PREFIX: prefix,
      INLOCO_HASH_KEY: keys.hash,
      INLOCO_ENCRYPTION_KEY: keys.encryption,
      SLACK_BOT_TOKEN: "xoxb-test-token",
      SLACK_SIGNING_SECRET: "8f742231b10e8888abcd99yyyzzz85a5",
      SLACK_API_URL: slack.url,
      INLOCO_DIGEST_AT: `${day} ${local.slice(11, 16)}`,
      LOG_LEVEL: "warn",
    };
    await Promise.all([worker(env), worker(env)]);
    await slack.until(() => CHANNELS.every((c) => slack.channelMessages(c).length > 0 && [...slack.files.values()].some((f) => f.channel === c && f.completed)), 90_000);
    // Both workers looked (each looks a second after it starts); give any second post time to show.
    await new Promise((r) => setTimeout(r, 3_000));
    for (const channel of CHANNELS) {
      const posts = slack.channelMessages(channel).filter((m) => m.metadata?.event_type === "inloco_digest");
      expect(posts, channel).toHaveLength(1);
      const charts = [...slack.files.values()].filter((f) => f.channel === channel);
      expect(charts, channel).toHaveLength(1);
      expect(charts[0]?.thread_ts).toBe(posts[0]?.ts);
      expect(charts[0]?.bytes.subarray(1, 4).toString()).toBe("PNG");
    }
    // The week's new feedback went out in notices too, each piece in one notice only, whichever worker posted it.
    const noticed = slack.messages.filter((m) => !m.metadata).flatMap((m) => m.blocks.filter((b) => b.type === "actions").map((b) => String(b.block_id)));
    expect(noticed.length).toBeGreaterThan(0);
    expect(new Set(noticed).size).toBe(noticed.length);
    const rows = (await db.sql.query<{ status: string; n: string }>("SELECT status::text, count(*) AS n FROM digests WHERE kind = 'weekly' GROUP BY 1")).rows;
    expect(rows).toEqual([{ status: "posted", n: "4" }]);
  });
});
