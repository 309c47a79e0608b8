// `inloco task-force …` and `inloco digest send` as a coordinator runs them: the real CLI as a process
// on a real PostgreSQL, posting to a fake Slack Web API (SLACK_API_URL).
import { afterAll, describe, expect, it } from "vitest";
import { seedDemo } from "../../src/repos/seed.ts";
import { cliOnTestDatabase } from "../support/cli.ts";
import { FakeSlack } from "../slack/fake-slack.ts";

const slack = await FakeSlack.start();
afterAll(() => slack.close());
const { inloco, db } = cliOnTestDatabase({
  prepare: (d) => seedDemo(d.prisma),
  env: { SLACK_BOT_TOKEN: "xoxb-test-token", SLACK_SIGNING_SECRET: "8f742231b10e8888abcd99yyyzzz85a5", SLACK_API_URL: slack.url },
});

describe("inloco task-force", () => {
  it("lists the task forces with their channel and language", { timeout: 60_000 }, async () => {
    const r = await inloco(["task-force", "list"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[0-9a-f-]{36} {2}Task force Val di Susa +valsusa +C0VALSUSA +en$/m);
    expect(r.stdout.trim().split("\n")).toHaveLength(4);
  });

  it("sets a channel and a language by territory or name; refuses what isn't a channel id, naming the task forces for a wrong one", { timeout: 60_000 }, async () => {
    expect((await inloco(["task-force", "set-channel", "asti", "C0NEWASTI"])).code).toBe(0);
    expect((await inloco(["task-force", "set-language", "Task force Asti", "it"])).code).toBe(0);
    const row = await db().prisma.taskForce.findFirst({ where: { territoryId: "asti" } });
    expect(row).toMatchObject({ slackChannel: "C0NEWASTI", language: "it" });
    const bad = await inloco(["task-force", "set-channel", "asti", "#general"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('"#general" is not a Slack channel id');
    const unknown = await inloco(["task-force", "set-channel", "atlantis", "C0ATLANTIS"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No task force "atlantis". The task forces are:');
    expect(unknown.stderr).toContain("Task force Torino (torino)");
  });
});

describe("inloco digest send", () => {
  it("posts a task force's digest to its channel, and every one's with --all", { timeout: 120_000 }, async () => {
    const one = await inloco(["digest", "send", "--task-force", "torino"]);
    expect(one.stderr).toContain("Task force Torino: posted to C0TORINO");
    expect(one.code).toBe(0);
    expect(slack.channelMessages("C0TORINO")).toHaveLength(1);
    const all = await inloco(["digest", "send", "--all"]);
    expect(all.code).toBe(0);
    for (const c of ["C0TORINO", "C0VALSUSA", "C0CUNEO", "C0NEWASTI"]) expect(slack.channelMessages(c).length, c).toBeGreaterThan(0);
    expect(slack.channelMessages("C0TORINO")).toHaveLength(2);
    const neither = await inloco(["digest", "send"]);
    expect(neither.code).toBe(1);
    expect(neither.stderr).toContain("say which: --task-force <id or name>, or --all");
  });
});
