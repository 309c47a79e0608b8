import { describe, expect, it } from "vitest";
import { redact } from "../../src/log/log.ts";

describe("the log's redaction", () => {
  it("masks phone numbers and e-mail or chat addresses a line carries by mistake", () => {
    expect(redact("send to 393331234567@c.us failed")).toBe("send to [address] failed");
    expect(redact("could not parse 'call me on +39 333 123 4567'")).toBe("could not parse 'call me on [number]'");
    expect(redact("bounce from amira.h@example.org")).toBe("bounce from [address]");
  });

  it("leaves ids, ports, counts and durations as they are", () => {
    const line = "queue: Redis at redis://127.0.0.1:6379 reachable again after 1200 ms (48 connection errors); job in-telegram-4711 of 6f1d2c3b-0a4e-4f5d-9c8b-7a6e5d4c3b2a";
    expect(redact(line)).toBe(line);
    expect(redact("HTTP server on 127.0.0.1:8080")).toBe("HTTP server on 127.0.0.1:8080");
  });
});
