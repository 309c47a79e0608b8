// The benchmarks' verdicts: a FAIL makes `npm run bench` exit 1 (test/bench/run.ts exits with closing()).
import { afterEach, describe, expect, it } from "vitest";
import { closing, failedGoals, verdict } from "./measure.ts";

afterEach(() => void failedGoals.splice(0));

describe("bench verdicts", () => {
  it("a run whose goals all pass exits 0", () => {
    expect(verdict(true, "pipeline: saturation with the defaults")).toBe("PASS");
    expect(closing()).toEqual({ line: "Every goal: PASS", exitCode: 0 });
  });

  it("any FAIL makes the run exit 1, naming the goals that failed", () => {
    expect(verdict(true, "engine: flat cost per answer")).toBe("PASS");
    expect(verdict(false, "pipeline: saturation with the defaults")).toBe("FAIL");
    expect(verdict(false, "pipeline: ingest/no-op")).toBe("FAIL");
    expect(closing()).toEqual({ line: "2 goals FAILED: pipeline: saturation with the defaults; pipeline: ingest/no-op", exitCode: 1 });
  });
});
