/**
 * Rows that arrive while a statement is in flight are written (or looked up) together, by one
 * statement, when it returns (group commit). A row that comes to an idle batcher goes at once, so
 * a quiet system waits for nothing; a busy one makes one round trip for many rows instead of one each.
 */
export class RowBatcher<Row, Result = void> {
  private waiting: Array<{ row: Row; done: (result: Result) => void; failed: (e: unknown) => void }> = [];
  private writing = false;

  constructor(
    /** Handles the rows in one statement, all or nothing; returns each row's result, in order (or nothing). */
    private readonly write: (rows: readonly Row[]) => Promise<readonly Result[] | void>,
    private readonly maxRows = 200,
  ) {}

  /** Resolves with the row's result once it is handled (with others, maybe), rejects if it could not be. */
  add(row: Row): Promise<Result> {
    return new Promise((done, failed) => {
      this.waiting.push({ row, done, failed });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, this.maxRows);
        try {
          const results = await this.write(batch.map((b) => b.row));
          batch.forEach((b, i) => b.done(results?.[i] as Result));
        } catch (e) {
          if (batch.length === 1) (batch[0] as (typeof batch)[number]).failed(e);
          // One bad row must not fail the rest: each alone, so only its own job is retried.
          else await Promise.all(batch.map((b) => this.write([b.row]).then((r) => b.done(r?.[0] as Result), b.failed)));
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
