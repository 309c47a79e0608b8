// Group commit: rows that come while a statement is in flight share the next one.
import { describe, expect, it } from "vitest";
import { RowBatcher } from "../../src/batch/row-batcher.ts";

describe("RowBatcher", () => {
  it("writes a row at once when idle, and rows that come meanwhile together in the next write", async () => {
    const writes: number[][] = [];
    let release: () => void = () => undefined;
    const batcher = new RowBatcher<number>(async (rows) => {
      writes.push([...rows]);
      if (writes.length === 1) await new Promise<void>((r) => (release = r));
    });
    const first = batcher.add(1);
    const rest = [2, 3, 4].map((n) => batcher.add(n));
    expect(writes).toEqual([[1]]);
    release();
    await Promise.all([first, ...rest]);
    expect(writes).toEqual([[1], [2, 3, 4]]);
  });

  it("fails only the row that can't be written when a shared write fails", async () => {
    let release: () => void = () => undefined;
    let calls = 0;
    const batcher = new RowBatcher<string>(async (rows) => {
      if (++calls === 1) await new Promise<void>((r) => (release = r));
      if (rows.includes("bad")) throw new Error("bad row");
    });
    const first = batcher.add("a");
    const results = Promise.allSettled(["b", "bad", "c"].map((r) => batcher.add(r)));
    release();
    await first;
    expect((await results).map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  });

  it("hands each row its own result, also when the shared write failed and each went alone", async () => {
    let release: () => void = () => undefined;
    let calls = 0;
    const batcher = new RowBatcher<number, string>(async (rows) => {
      if (++calls === 1) await new Promise<void>((r) => (release = r));
      if (rows.length > 1 && rows.includes(13)) throw new Error("13 spoils the batch");
      return rows.map((n) => `row ${n}`);
    });
    const first = batcher.add(1);
    const together = Promise.all([2, 3, 4].map((n) => batcher.add(n)));
    const spoiled = Promise.all([5, 13, 6].map((n) => batcher.add(n)));
    release();
    expect(await first).toBe("row 1");
    expect(await together).toEqual(["row 2", "row 3", "row 4"]);
    expect(await spoiled).toEqual(["row 5", "row 13", "row 6"]);
  });
});
