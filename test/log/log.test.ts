import { describe, expect, it } from "vitest";
import { createLog, redact } from "../../src/log/log.ts";
import { captureLog } from "../support/log.ts";

describe("the log's redaction", () => {
  it("masks phone numbers and e-mail or chat addresses a line carries by mistake", () => {
    expect(redact("send to 393331234567@c.us failed")).toBe("send to [address] failed");
    expect(redact("could not parse 'call me on +39 333 123 4567'")).toBe("could not parse 'call me on [number]'");
    expect(redact("bounce from amira.h@example.org")).toBe("bounce from [address]");
    expect(redact("chat 5553000123 blocked the bot; tel. 333-123-4567.")).toBe("chat [number] blocked the bot; tel. [number].");
  });

  it("leaves ids, ports, counts and durations as they are", () => {
    const line = "queue: Redis at redis://127.0.0.1:6379 reachable again after 1200 ms (48 connection errors); job in-telegram-4711 of 6f1d2c3b-0a4e-4f5d-9c8b-7a6e5d4c3b2a";
    expect(redact(line)).toBe(line);
    expect(redact("HTTP server on 127.0.0.1:8080")).toBe("HTTP server on 127.0.0.1:8080");
    // Digits inside an id are not a phone number, however many there are.
    const ids = "outbound job-7be81110-9933-41bf-a668-b8ff6bb70db7 and in-telegram-5f0e6a1c0b94d0f5e3b1a2c4d6e8f0a1b2c3d4e5";
    expect(redact(ids)).toBe(ids);
  });
});

describe("the app's logger", () => {
  it("writes one JSON object a line: level, time, the ids given, the message masked, personal fields censored", () => {
    const { log, records } = captureLog();
    log.warn({ job: "in-telegram-4711", address: "393331234567@c.us", input: { type: "text", text: "I live at Via Roma 3" } }, "send to 393331234567@c.us failed");
    expect(records).toHaveLength(1);
    const [line] = records;
    expect(line).toMatchObject({ level: "warn", job: "in-telegram-4711", address: "[redacted]", input: "[redacted]", msg: "send to [address] failed" });
    expect(typeof line?.time).toBe("number");
    expect(JSON.stringify(records)).not.toMatch(/Via Roma|393331234567/);
  });

  it("censors personal fields inside nested objects, and in child loggers", () => {
    const { log, records } = captureLog();
    log.child({ part: "outbound" }).info({ job: { id: "j1", payload: { text: "my phone is broken" } } }, "sent");
    expect(records[0]).toMatchObject({ part: "outbound", job: { id: "j1", payload: "[redacted]" }, msg: "sent" });
  });

  it("writes readable lines for a person at a terminal", () => {
    const out: string[] = [];
    const log = createLog({ format: "text", destination: { write: (line: string) => void out.push(line) } });
    log.info({ shards: 32 }, "inloco: workers running");
    log.debug("not shown at the default level");
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^\d\d:\d\d:\d\d info {2}inloco: workers running shards=32\n$/);
  });
});
