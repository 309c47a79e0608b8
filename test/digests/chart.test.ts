// The needs chart: a PNG of sane size, counts under the threshold drawn as "< 5" and never as their
// value, nothing when there is nothing to chart, and labels in Arabic script drawn with real glyphs.
import { describe, expect, it } from "vitest";
import { chartFonts, needsChart, needsChartSpec, svgToPng, type ChartFonts } from "../../src/digests/index.ts";
import { digestOf } from "./fixture.ts";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR chunk. */
const pngSize = (png: Buffer) => ({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) });

const ARABIC = ["سكن", "عمل", "اللغة", "الصحة", "الوثائق", "المدرسة أو رعاية الأطفال", "التعرف على الناس"];

describe("the needs chart", () => {
  it("is a PNG of a sane size, with its SVG, title and a text alternative", async () => {
    const chart = await needsChart(digestOf());
    expect(chart).not.toBeNull();
    if (!chart) return;
    expect(chart.png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(pngSize(chart.png)).toEqual({ width: chart.width, height: chart.height });
    expect(chart.width).toBeGreaterThan(600);
    expect(chart.width).toBeLessThan(2500);
    expect(chart.height).toBeGreaterThan(400);
    expect(chart.height).toBeLessThan(2500);
    expect(chart.svg.startsWith("<svg")).toBe(true);
    expect(chart.title).toBe("Needs: Task force Val di Susa");
    expect(chart.alt).toBe(
      "Bar chart of needs in Val di Susa, 1 Mar – 7 Mar against 22 Feb – 28 Feb: Housing 12 (8), Work 7 (9), Language < 5 (< 5), Health 5 (5), Documents < 5 (< 5), School or childcare 6 (< 5), Meeting people 9 (11).",
    );
  });

  it("draws a count under the threshold as an empty bar up to it, labelled \"< 5\", never as its value", async () => {
    const d = digestOf();
    const spec = needsChartSpec(d) as { data: { values: Array<{ need: string; period: string; bar: number; shown: boolean; label: string }> } };
    const language = spec.data.values.filter((v) => v.need === "Language");
    // Language: 3 this week, 0 the week before; School or childcare 1 the week before.
    expect(language.map((v) => [v.bar, v.shown, v.label])).toEqual([
      [5, false, "< 5"],
      [5, false, "< 5"],
    ]);
    expect(spec.data.values.find((v) => v.need === "School or childcare" && !v.shown)).toMatchObject({ bar: 5, label: "< 5" });
    expect(spec.data.values.filter((v) => v.shown).map((v) => v.bar)).toEqual([8, 12, 9, 7, 5, 5, 6, 11, 9]);
    const chart = await needsChart(d);
    const labels = [...(chart?.svg ?? "").matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(labels.filter((l) => l === "&lt; 5")).toHaveLength(5);
  });

  it("is null when no needs survey was started in either period", async () => {
    const d = digestOf();
    expect(await needsChart({ ...d, needs: { runs: { current: 0, previous: 0 }, categories: d.needs.categories.map((c) => ({ ...c, current: 0, previous: 0 })) } })).toBeNull();
  });

  it("draws labels in Arabic script with a font that has them", async () => {
    const fonts = chartFonts();
    // Debian's DejaVu Sans (fonts-dejavu-core) is there: resvg is given its files, not the system's fonts.
    expect(fonts.system).toBe(false);
    expect(fonts.fontFiles[0]).toMatch(/DejaVuSans\.ttf$/);
    const d = digestOf();
    const arabic = { ...d, taskForce: { ...d.taskForce, name: "فريق عمل فال دي سوزا" }, needs: { ...d.needs, categories: d.needs.categories.map((c, i) => ({ ...c, label: ARABIC[i] as string })) } };
    const chart = await needsChart(arabic);
    expect(chart?.png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(chart?.svg).toContain("سكن");

    // The same text alone: drawn with the font it is a picture that differs from a blank one and from
    // another word of as many letters (tofu would draw the same boxes for both); with no font, nothing.
    const word = (text: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><text x="10" y="28" font-family="${fonts.family}" font-size="20">${text}</text></svg>`;
    const none: ChartFonts = { fontFiles: [], family: fonts.family, system: false };
    const blank = (await svgToPng(word(""), fonts, 1)).png;
    const housing = (await svgToPng(word("سكن"), fonts, 1)).png;
    const work = (await svgToPng(word("عمل"), fonts, 1)).png;
    expect(housing.equals(blank)).toBe(false);
    expect(housing.equals(work)).toBe(false);
    expect((await svgToPng(word("سكن"), none, 1)).png.equals(blank)).toBe(true);
  });
});
