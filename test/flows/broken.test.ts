// Broken flows must be refused at load, naming file, path and reason. Each folder of
// test/flows-broken/ holds flow files and expected.txt, the exact problems they must produce.
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/app/runtime.ts";
import { checkFlows, loadFlows } from "../../src/flows/catalog.ts";
import { FlowError, formatProblem } from "../../src/flows/problems.ts";
import { shippedTexts } from "../support/engine.ts";

const BROKEN = join(PROJECT_ROOT, "test", "flows-broken");
// The stock flows, counted from the folder (one file per flow, named by its id): adding a flow changes no test.
const STOCK_FLOWS = readdirSync(join(PROJECT_ROOT, "flows"))
  .filter((f) => /\.(ya?ml|json)$/.test(f) && f !== "flow.schema.json")
  .map((f) => f.replace(/\.[^.]+$/, ""))
  .sort();
const texts = shippedTexts(["en"]);
const options = (dir: string) => ({ languages: ["en"], hasText: (l: string, k: string) => texts.has(l, k), displayBase: dir });

describe("broken flows", () => {
  for (const name of readdirSync(BROKEN).sort()) {
    it(`${name} is refused with the exact problems`, () => {
      const dir = join(BROKEN, name);
      const expected = readFileSync(join(dir, "expected.txt"), "utf8").trim().split("\n");
      const { problems } = checkFlows(dir, options(dir));
      expect(problems.map(formatProblem)).toEqual(expected);
      // Loading (what the bot does at start) refuses the same way, with everything in the message.
      expect(() => loadFlows(dir, options(dir))).toThrow(FlowError);
      try {
        loadFlows(dir, options(dir));
      } catch (e) {
        expect((e as FlowError).message.split("\n")).toEqual(expected);
      }
    });
  }

  it("the shipped flows have no problem in any shipped language", () => {
    const all = shippedTexts();
    const { problems, catalog } = checkFlows(join(PROJECT_ROOT, "flows"), {
      languages: all.languages,
      hasText: (l, k) => all.has(l, k),
    });
    expect(problems.map(formatProblem)).toEqual([]);
    expect(catalog.ids().sort()).toEqual(STOCK_FLOWS);
  });

  it("inloco flows check reports every problem of every file at once and exits 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "inloco-flows-"));
    for (const name of ["unknown-target", "loop-without-wait", "duplicate-choice-id"]) {
      cpSync(join(BROKEN, name, "needs.yaml"), join(dir, `${name}.yaml`));
    }
    const run = promisify(execFile)(process.execPath, [join(PROJECT_ROOT, "src", "cli", "inloco.js"), "flows", "check", dir], {
      env: { ...process.env, INLOCO_LANGUAGES: "en" },
      cwd: dir,
    });
    const failure = await run.then(
      () => undefined,
      (e: { code: number; stdout: string }) => e,
    );
    expect(failure?.code).toBe(1);
    const out = failure?.stdout ?? "";
    expect(out).toContain('unknown-target.yaml: nodes.housing.next: unknown node "housng"');
    expect(out).toContain("loop-without-wait.yaml: nodes.intro: loop that never waits for the person: intro → check → again → intro");
    expect(out).toContain('duplicate-choice-id.yaml: nodes.housing.answer.options.2.id: choice id "stable" is used twice');
    // Three files with the same flow id: the duplicates are reported too.
    expect(out).toMatch(/flow id "needs" is already used by/);
  });

  it("inloco flows check passes on the shipped flows", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(PROJECT_ROOT, "src", "cli", "inloco.js"), "flows", "check"], {
      env: { ...process.env, INLOCO_LANGUAGES: "en" },
    });
    expect(stdout).toContain(`${STOCK_FLOWS.length} flows OK`);
  });

  // Three runs of the command line: generous on a busy machine.
  it("inloco flows check reads INLOCO_FLOWS_DIR and INLOCO_LOCALES_DIR, as the bot does", { timeout: 120_000 }, async () => {
    const work = mkdtempSync(join(tmpdir(), "inloco-flows-env-"));
    try {
      // Configured flows: one broken file. Configured locales: English with the housing question taken out.
      const flows = join(work, "flows");
      cpSync(join(BROKEN, "unknown-target", "needs.yaml"), join(flows, "needs.yaml"));
      const locales = join(work, "locales");
      cpSync(join(PROJECT_ROOT, "locales", "en"), join(locales, "en"), { recursive: true });
      const needs = JSON.parse(readFileSync(join(locales, "en", "needs.json"), "utf8")) as { housing: Record<string, string> };
      delete needs.housing.question;
      writeFileSync(join(locales, "en", "needs.json"), JSON.stringify(needs));
      const check = (env: Record<string, string>, args: string[] = []) =>
        promisify(execFile)(process.execPath, [join(PROJECT_ROOT, "src", "cli", "inloco.js"), "flows", "check", ...args], {
          env: { ...process.env, INLOCO_LANGUAGES: "en", INLOCO_FLOWS_DIR: "", INLOCO_LOCALES_DIR: "", ...env },
          cwd: work,
        }).then(
          (r) => ({ code: 0, stdout: r.stdout }),
          (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
        );

      const flowsOnly = await check({ INLOCO_FLOWS_DIR: flows });
      expect(flowsOnly.code).toBe(1);
      expect(flowsOnly.stdout).toContain('needs.yaml: nodes.housing.next: unknown node "housng"');

      const localesOnly = await check({ INLOCO_LOCALES_DIR: locales });
      expect(localesOnly.code).toBe(1);
      expect(localesOnly.stdout).toContain('text "needs:housing.question" is missing in en');

      // An argument and --locales still win over the environment.
      const given = await check({ INLOCO_FLOWS_DIR: flows, INLOCO_LOCALES_DIR: locales }, [join(PROJECT_ROOT, "flows"), "--locales", join(PROJECT_ROOT, "locales")]);
      expect(given.stdout).toContain(`${STOCK_FLOWS.length} flows OK`);
      expect(given.code).toBe(0);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
