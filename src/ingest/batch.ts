/**
 * Rows that arrive while a write is in flight are written together, by one statement, when it
 * returns (group commit). A row that comes to an idle batcher is written at once, so a quiet
 * queue waits for nothing; a busy one makes one round trip for many jobs instead of one each.
 */
export class RowBatcher<Row> {
  private waiting: Array<{ row: Row; done: () => void; failed: (e: unknown) => void }> = [];
  private writing = false;

  constructor(
    /** Writes the rows in one statement; all or nothing. */
    private readonly write: (rows: readonly Row[]) => Promise<void>,
    private readonly maxRows = 200,
  ) {}

  /** Resolves once the row is written (with others, maybe), rejects if it could not be. */
  add(row: Row): Promise<void> {
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
          await this.write(batch.map((b) => b.row));
          for (const b of batch) b.done();
        } catch (e) {
          if (batch.length === 1) (batch[0] as (typeof batch)[number]).failed(e);
          // One bad row must not fail the rest: each alone, so only its own job is retried.
          else await Promise.all(batch.map((b) => this.write([b.row]).then(b.done, b.failed)));
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
