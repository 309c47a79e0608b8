// `inloco queue status|failed|retry` against a real Redis.
import { Command } from "commander";
import { afterEach, describe, expect, it } from "vitest";
import { registerQueue } from "../../src/cli/queue.ts";
import { ConfigError } from "../../src/config/env.ts";
import { BullmqBroker } from "../../src/queue/bullmq-broker.ts";
import { testRedisUrl } from "../support/db.ts";
import { deleteKeys, testPrefix, waitFor } from "./helpers.ts";

async function run(env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  const lines: string[] = [];
  const program = new Command("inloco").exitOverride();
  registerQueue(program, { env, print: (line) => lines.push(line) });
  await program.parseAsync(["node", "inloco", "queue", ...args]);
  return lines.join("\n");
}

describe("inloco queue", () => {
  const url = testRedisUrl();
  const prefix = testPrefix();
  const env = { REDIS_URL: url, INLOCO_QUEUE_PREFIX: prefix };
  let app: BullmqBroker | undefined;
  afterEach(async () => {
    await app?.close();
    process.exitCode = undefined;
    await deleteKeys(url, prefix);
  });

  it("explains that in-memory queues cannot be seen from outside when REDIS_URL is unset", async () => {
    const error = await run({}, "status").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/REDIS_URL: not set, so the app keeps its queues in memory, inside its own process/);
  });

  it("shows counts per queue, the failed jobs, and retries them", async () => {
    expect(await run(env, "status")).toBe("No queues yet.");

    app = new BullmqBroker({ url, prefix });
    await app.declare("inbound.0", { ordered: true });
    await app.declare("ingest", { attempts: 1 });
    await app.put("inbound.0", "message", {}, { id: "tg-1" });
    let healthy = false;
    await app.work("ingest", () => {
      if (!healthy) throw new Error("database down\nat line 2");
    });
    await app.put("ingest", "feedback", {}, { id: "fb-1" });
    await app.put("ingest", "feedback", {}, { id: "fb-2" });
    await waitFor(async () => (await app!.counts("ingest")).failed === 2, "2 failed");

    expect(await run(env, "status")).toBe(
      [
        "queue      waiting  active  delayed  completed  failed",
        "---------  -------  ------  -------  ---------  ------",
        "inbound.0        1       0        0          0       0",
        "ingest           0       0        0          0       2",
      ].join("\n"),
    );

    const failed = (await run(env, "failed", "--queue", "ingest", "--limit", "5")).split("\n");
    expect(failed[0]).toMatch(/^id\s+queue\s+name\s+reason\s+attempts\s+when \(UTC\)$/);
    expect(failed.slice(2).map((l) => l.split(/\s{2,}/).slice(0, 5))).toEqual([
      ["fb-2", "ingest", "feedback", "database down", "1"],
      ["fb-1", "ingest", "feedback", "database down", "1"],
    ]);
    expect(await run(env, "failed", "--limit", "1")).toMatch(/fb-2/);

    healthy = true;
    expect(await run(env, "retry", "fb-1")).toBe("ingest: 1 job back in the queue");
    expect(await run(env, "retry", "fb-1", "--queue", "ingest")).toBe("No failed job fb-1 in ingest.");
    expect(process.exitCode).toBe(1);
    process.exitCode = undefined;
    expect(await run(env, "retry", "all")).toBe("ingest: 1 job back in the queue");
    await waitFor(async () => (await app!.counts("ingest")).completed === 2, "both completed");
    expect(await run(env, "failed")).toBe("No failed jobs.");
  });
});
