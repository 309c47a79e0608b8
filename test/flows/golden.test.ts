// Golden conversations: each test/flows/<flow>.<case>.yaml holds a person's inputs and the bot's
// expected replies (rendered, in the person's language) and every event with all its fields, timers
// included. The runner is test/support/golden.ts. UPDATE_GOLDEN=1 rewrites the files that differ and
// still fails them in that run (review the diff, then run again); under CI it is refused.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkGolden, compared, goldenMode } from "../support/golden.ts";

const DIR = import.meta.dirname;
const files = readdirSync(DIR).filter((f) => f.endsWith(".yaml")).sort();

describe("golden conversations", () => {
  // Under CI with UPDATE_GOLDEN=1 this throws: every test below fails loudly instead of rewriting.
  const mode = () => goldenMode();

  it("has cases for every stock flow", () => {
    for (const flow of ["main", "onboarding", "needs", "feedback", "rsvp", "my_meetings"]) {
      expect(files.some((f) => f.startsWith(`${flow}.`)), `test/flows/${flow}.*.yaml`).toBe(true);
    }
  });

  for (const file of files) {
    it(file.replace(/\.yaml$/, ""), () => {
      const { want, got, rewritten } = checkGolden(join(DIR, file), mode());
      const note = rewritten ? " (UPDATE_GOLDEN rewrote the file: review the diff, then run again)" : "";
      got.forEach((g, i) => {
        expect(compared(g), `turn ${i + 1} of ${file}${note}`).toEqual(compared(want[i]));
      });
    });
  }
});
