// The README's first command, end to end: `npm run demo` (inloco chat) on the embedded database,
// quit, run again: the conversation resumes at the same question with earlier answers kept; MY DATA
// and a coordinator's export read the same database.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/app/runtime.ts";
import { openDatabase } from "../../src/db/index.ts";

const CLI = join(PROJECT_ROOT, "src", "cli", "inloco.js");
const dataDir = mkdtempSync(join(tmpdir(), "inloco-demo-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Run the CLI with lines on stdin; resolves with stdout, stderr and the exit code. */
function inloco(args: string[], stdin = ""): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, INLOCO_DATA_DIR: dataDir, INLOCO_LANGUAGES: "en,it,ar" };
    delete env.DATABASE_URL;
    const child = execFile(process.execPath, [CLI, ...args], { env, cwd: dataDir, timeout: 90_000 }, (error, stdout, stderr) =>
      resolve({ stdout, stderr, code: error ? Number(error.code ?? 1) : 0 }),
    );
    child.stdin?.end(stdin);
  });
}

describe("the terminal chat on the embedded database", () => {
  it("keeps the conversation across restarts, and a coordinator can erase the person", async () => {
    const first = await inloco(["chat", "--user", "amira"], "3\nنعم\n2\nنعم\n1\n3\n");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/\n3\. العربية\n/); // the language menu names each language in its own script
    expect(first.stdout).toContain("هل تحتاج مساعدة لتجد مكاناً تسكن فيه؟");
    // Not silent while the database is made; piped lines echoed, so the output reads as a transcript.
    expect(first.stderr).toContain("Starting… (the first start prepares the database)\n");
    expect(first.stdout).toContain("\n\n> 3\n");

    const second = await inloco(["chat", "--user", "amira"], "1\nبياناتي\n");
    expect(second.code).toBe(0);
    // Welcome back, in Arabic, at the question where she stopped; then her answer moves on.
    expect(second.stdout.split("\n\n")[1]).toContain("هل تحتاج مساعدة لتجد مكاناً تسكن فيه؟");
    expect(second.stdout).toContain("ما هو وضعك في العمل؟");
    // MY DATA, read from the embedded database, in Arabic; then the question again.
    const mine = second.stdout.slice(second.stdout.indexOf("> بياناتي"));
    expect(mine).toContain("هذا ما نحتفظ به عنك");
    expect(mine).toMatch(/أين تسكن: \u2068?Val di Susa/);
    expect(mine).toContain("الاستبيانات التي أجبت عنها: 1");
    expect(mine).toContain("ما هو وضعك في العمل؟");
    expect(second.stderr).toContain("Starting…\n");
    expect(second.stderr).not.toContain("first start");

    const db = await openDatabase({ dataDir, migrate: false });
    let contactId: string;
    try {
      const answers = await db.prisma.answer.findMany({ where: { flowId: "needs" }, orderBy: { answeredAt: "asc" } });
      expect(answers.map((a) => [a.resultName, a.valueChoices, a.language])).toEqual([
        ["housing", ["friends"], "ar"],
        ["housing_help", ["yes"], "ar"],
      ]);
      contactId = answers[0]?.contactId as string;
      expect((await db.prisma.contact.findUniqueOrThrow({ where: { id: contactId } })).territoryId).toBe("valsusa");
    } finally {
      await db.close();
    }

    // Her access request, in Arabic, written where the command runs.
    const exported = await inloco(["contact", "export", contactId]);
    expect(exported.code).toBe(0);
    expect(readFileSync(join(dataDir, `${contactId}.txt`), "utf8")).toContain("كل ما يحتفظ به In Loco عنك");

    const erased = await inloco(["contact", "erase", contactId]);
    expect(erased.stdout).toMatch(/erased contact .*: \d+ answers, 1 channel identities/);
    const after = await openDatabase({ dataDir, migrate: false });
    try {
      expect(await after.prisma.answer.count()).toBe(0);
      expect(await after.prisma.channelIdentity.count()).toBe(0);
      expect(await after.prisma.auditLog.count({ where: { action: "erase", subject: contactId } })).toBe(1);
    } finally {
      await after.close();
    }
  }, 180_000);
});
