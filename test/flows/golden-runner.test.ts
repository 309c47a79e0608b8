// The golden runner itself: UPDATE_GOLDEN can never turn a failure green, is refused under CI, and the
// files compare every event with all its fields (timers included).
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { checkGolden, compared, goldenMode, GoldenUpdateRefused } from "../support/golden.ts";

const DIR = import.meta.dirname;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A copy of a shipped golden file with `edit` applied to its text. */
function editedCopy(file: string, edit: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), "inloco-golden-"));
  dirs.push(dir);
  const path = join(dir, file);
  copyFileSync(join(DIR, file), path);
  const before = readFileSync(path, "utf8");
  const after = edit(before);
  expect(after, "the edit changed the file").not.toBe(before);
  writeFileSync(path, after);
  return path;
}
const same = (r: ReturnType<typeof checkGolden>) => JSON.stringify(r.got.map(compared)) === JSON.stringify(r.want.map(compared));

describe("golden runner", () => {
  it("refuses UPDATE_GOLDEN under CI, and compares when it is unset", () => {
    expect(() => goldenMode({ UPDATE_GOLDEN: "1", CI: "true" })).toThrow(GoldenUpdateRefused);
    expect(() => goldenMode({ UPDATE_GOLDEN: "1", CI: "1" })).toThrow(/refused under CI/);
    expect(goldenMode({ UPDATE_GOLDEN: "1" })).toBe("update");
    expect(goldenMode({ CI: "true" })).toBe("compare");
    expect(goldenMode({})).toBe("compare");
  });

  it("in update mode rewrites a file that differs, and still reports the difference", () => {
    const path = editedCopy("needs.en-back.yaml", (t) => t.replace("What is your housing situation now?", "What is your housing situation?"));
    const first = checkGolden(path, "update");
    expect(first.rewritten).toBe(true);
    expect(same(first), "the run that rewrote the file must fail").toBe(false);
    const second = checkGolden(path, "compare");
    expect(second.rewritten).toBe(false);
    expect(same(second)).toBe(true);
    expect(readFileSync(path, "utf8")).toContain("What is your housing situation now?");
  });

  it("in compare mode never writes", () => {
    const path = editedCopy("needs.en-back.yaml", (t) => t.replace("What is your housing situation now?", "Changed"));
    const text = readFileSync(path, "utf8");
    const r = checkGolden(path, "compare");
    expect(same(r)).toBe(false);
    expect(readFileSync(path, "utf8")).toBe(text);
  });

  it("compares the timers each turn sets, and every field of an event", () => {
    const noTimer = editedCopy("main.en-timers.yaml", (t) => t.replace(/^ *- wait\.started housing \[turn=2\]\n/m, ""));
    expect(same(checkGolden(noTimer, "compare")), "a dropped timer is noticed").toBe(false);
    const otherTurn = editedCopy("main.en-timers.yaml", (t) => t.replace("wait.started housing [turn=2]", "wait.started housing [turn=3]"));
    expect(same(checkGolden(otherTurn, "compare")), "a timer of another turn is noticed").toBe(false);
    const discard = editedCopy("onboarding.en-declines-consent.yaml", (t) => t.replace('discard=["run-1"]', 'discard=[]'));
    expect(same(checkGolden(discard, "compare")), "what a declined consent discards is compared").toBe(false);
    const version = editedCopy("main.en-timers.yaml", (t) => t.replace("flow.started needs [run=run-2 version=1 parent=run-1]", "flow.started needs [run=run-2 version=2 parent=run-1]"));
    expect(same(checkGolden(version, "compare")), "a flow's version is compared").toBe(false);
  });
});
