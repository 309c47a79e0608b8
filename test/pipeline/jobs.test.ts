// The job schemas' bounds: what the inbound queue refuses before anything reads it.
import { describe, expect, it } from "vitest";
import { MAX_MEDIA_REF_BYTES } from "../../src/channel/contract.ts";
import { InboundJob } from "../../src/jobs/jobs.ts";

describe("InboundJob", () => {
  const job = (ref: string) => ({ channel: "telegram", sealedAddress: "c2VhbGVk", input: { type: "media", media: "voice", ref }, at: "2026-12-07T06:00:00.000Z" });

  it("takes a media reference up to MAX_MEDIA_REF_BYTES bytes of UTF-8, and refuses a longer one", () => {
    expect(InboundJob.safeParse(job("a".repeat(MAX_MEDIA_REF_BYTES))).success).toBe(true);
    expect(InboundJob.safeParse(job("é".repeat(MAX_MEDIA_REF_BYTES / 2))).success).toBe(true);
    for (const ref of ["a".repeat(MAX_MEDIA_REF_BYTES + 1), "é".repeat(MAX_MEDIA_REF_BYTES / 2 + 1), "x".repeat(100_000)]) {
      const parsed = InboundJob.safeParse(job(ref));
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.message).toBe(`a media reference is at most ${MAX_MEDIA_REF_BYTES} bytes`);
    }
  });

  it("bounds only media: a long text is not a reference", () => {
    expect(InboundJob.safeParse({ ...job(""), input: { type: "text", text: "x".repeat(5000) } }).success).toBe(true);
  });
});
