// Who may use PGlite's one session next. pglite-socket feeds the protocol messages of all its
// connections into that session one message at a time, keeping a connection's messages together only
// while PGlite reports a transaction. That was enough while the app had exactly one connection; with a
// coordinator's command connected to the running app's database it is not:
//  - a connection that drops between Parse and Sync (a command killed mid-query) leaves the session
//    skipping every message until a Sync: the app's next query gets nothing (tested: Prisma reads null);
//  - a message PGlite fails on stops pglite-socket's queue for good (it returns with `processing` set).
// This queue hands the session to a connection until PostgreSQL says it is ready and idle
// (ReadyForQuery, status 'I'): a whole extended-protocol batch, or a whole transaction, runs before
// anyone else's message, whatever PGlite reports; a connection that goes while holding the session gets
// a Sync and a ROLLBACK on its behalf; a failed message fails alone.
import type { PGlite } from "@electric-sql/pglite";

const TERMINATE = 0x58; // 'X'
const READY_FOR_QUERY = 0x5a; // 'Z', then int32 5, then the status byte
const IDLE = 0x49; // 'I'
const SYNC = Uint8Array.of(0x53, 0, 0, 0, 4);

interface Message {
  handlerId: number;
  message: Uint8Array;
  onData(data: Uint8Array): void;
  resolve(bytes: number): void;
  reject(error: unknown): void;
}

interface Release {
  handlerId: number;
  release: true;
  resolve(): void;
}

type Item = Message | Release;

/** Drop-in for pglite-socket's private QueryQueueManager (the same four methods). */
export class SessionQueue {
  private queue: Item[] = [];
  private processing = false;
  /** The connection holding the session (mid-batch or in a transaction); undefined: anyone's turn. */
  private owner: number | undefined;

  constructor(private readonly db: PGlite) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ handlerId, message, onData, resolve, reject });
      void this.process();
    });
  }

  getQueueLength(): number {
    return this.queue.length;
  }

  /** The connection is gone: its waiting messages are dropped. */
  clearQueueForHandler(handlerId: number): void {
    this.queue = this.queue.filter((item) => {
      if (item.handlerId !== handlerId || "release" in item) return true;
      item.reject(new Error("Handler disconnected"));
      return false;
    });
  }

  /** The connection is gone: if it held the session, end its batch and roll its transaction back.
   * Queued behind whatever of that connection is running, so nothing of it runs afterwards. */
  clearTransactionIfNeeded(handlerId: number): Promise<void> {
    return new Promise((resolve) => {
      this.queue.push({ handlerId, release: true, resolve });
      void this.process();
    });
  }

  private next(): Item | undefined {
    const index = this.owner === undefined ? (this.queue.length > 0 ? 0 : -1) : this.queue.findIndex((item) => item.handlerId === this.owner);
    return index === -1 ? undefined : this.queue.splice(index, 1)[0];
  }

  private async process(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      for (let item = this.next(); item; item = this.next()) {
        if ("release" in item) await this.release(item);
        else await this.run(item);
      }
    } finally {
      this.processing = false;
    }
  }

  private async run(item: Message): Promise<void> {
    let bytes = 0;
    let tail: Uint8Array = new Uint8Array(0);
    try {
      await this.db.runExclusive(() =>
        this.db.execProtocolRawStream(item.message, {
          onRawData: (data: Uint8Array) => {
            bytes += data.length;
            tail = lastBytes(tail, data, 6);
            item.onData(data);
          },
        }),
      );
    } catch (error) {
      // The connection's handler drops it on this error; its release item frees the session.
      item.reject(error);
      return;
    }
    this.owner = item.message[0] !== TERMINATE && !readyAndIdle(tail) ? item.handlerId : undefined;
    item.resolve(bytes);
  }

  private async release(item: Release): Promise<void> {
    try {
      if (this.owner !== item.handlerId) return;
      // A batch cut short (no Sync yet) leaves the session skipping messages until one comes.
      await this.db.runExclusive(() => this.db.execProtocolRawStream(SYNC, { onRawData: () => {} })).catch(() => {});
      if (this.db.isInTransaction()) await this.db.exec("ROLLBACK").catch(() => {});
    } finally {
      if (this.owner === item.handlerId) this.owner = undefined;
      item.resolve();
    }
  }
}

function lastBytes(tail: Uint8Array, data: Uint8Array, n: number): Uint8Array {
  if (data.length >= n) return data.slice(data.length - n);
  const joined = new Uint8Array(tail.length + data.length);
  joined.set(tail);
  joined.set(data, tail.length);
  return joined.slice(Math.max(0, joined.length - n));
}

function readyAndIdle(tail: Uint8Array): boolean {
  return tail.length === 6 && tail[0] === READY_FOR_QUERY && tail[1] === 0 && tail[2] === 0 && tail[3] === 0 && tail[4] === 5 && tail[5] === IDLE;
}
