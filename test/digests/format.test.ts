// The small rules a digest writes by: the period compared, excerpts (masked, cut), counts and changes.
import { describe, expect, it } from "vitest";
import { excerptOf, maskNames, previousStart } from "../../src/digests/index.ts";
import { changeText, countText, percentText } from "../../src/digests/format.ts";

describe("the period compared", () => {
  it("is as many whole days before a period of whole days, across a change of the clocks", () => {
    // 26 Oct – 1 Nov 2026 in Rome (summer time ended on 25 Oct): compared with 19 – 25 Oct, from midnight.
    const from = new Date("2026-10-25T23:00:00Z");
    const to = new Date("2026-11-01T23:00:00Z");
    expect(previousStart(from, to, "Europe/Rome")).toEqual(new Date("2026-10-18T22:00:00Z"));
  });

  it("is as long before any other period", () => {
    const from = new Date("2026-12-01T10:17:33.250Z");
    const to = new Date("2026-12-08T10:17:33.250Z");
    expect(previousStart(from, to, "Europe/Rome")).toEqual(new Date("2026-11-24T10:17:33.250Z"));
  });
});

describe("an excerpt", () => {
  it("masks phone numbers, e-mail and chat addresses, and a name the person gave", () => {
    expect(excerptOf("Mi chiamo Luca Bianchi, il mio numero è 347 123 4567")).toBe("Mi chiamo [name], il mio numero è [number]");
    expect(excerptOf("MY NAME IS Oksana and I write from oksana@example.com")).toBe("MY NAME IS [name] and I write from [address]");
    expect(maskNames("Je m'appelle Awet Tesfay. Merci")).toBe("Je m'appelle [name]. Merci");
    expect(maskNames("Мене звати Оксана Коваль, дякую")).toBe("Мене звати [name], дякую");
    expect(maskNames("اسمي أمل حداد")).toBe("اسمي [name]");
    // Not a name: nothing masked.
    expect(excerptOf("The name of the school is on the letter")).toBe("The name of the school is on the letter");
  });

  it("is one line of at most 200 characters, cut at a word", () => {
    const text = `${"word ".repeat(60)}\n\nend`;
    const e = excerptOf(text) ?? "";
    expect(e.endsWith("word…")).toBe(true);
    expect([...e].length).toBeLessThanOrEqual(201);
    expect(e).not.toContain("\n");
    expect(excerptOf("  short\ttext \n")).toBe("short text");
    expect(excerptOf(null)).toBeNull();
    expect(excerptOf("   ")).toBeNull();
  });
});

describe("counts", () => {
  it("show under the threshold as \"< N\", zero too; a change or a percentage only from counts shown", () => {
    expect([countText(0, 5, "en"), countText(4, 5, "en"), countText(5, 5, "en"), countText(12345, 5, "it")]).toEqual(["< 5", "< 5", "5", "12.345"]);
    expect([changeText(8, 5, 5, "en"), changeText(5, 8, 5, "en"), changeText(6, 6, 5, "en"), changeText(8, 4, 5, "en"), changeText(4, 8, 5, "en")]).toEqual(["+3", "−3", "±0", null, null]);
    expect([percentText(12, 15, 5, "en"), percentText(4, 15, 5, "en"), percentText(5, 4, 5, "en"), percentText(12, 15, 5, "it")]).toEqual(["80%", null, null, "80%"]);
  });
});
