// The needs chart of a digest: a vega-lite spec (grouped bars, this period against the previous), made
// into SVG by vega in this process (no browser), then into PNG by resvg with fonts given explicitly, so
// labels in any script the fonts cover render the same on every machine. A count under the threshold
// is not drawn as its value: an empty dashed bar up to the threshold, labelled "< N".
import { existsSync } from "node:fs";
import type { TopLevelSpec } from "vega-lite";
import type { Digest } from "./digest.ts";
import { countText, isShown, periodEnds, say } from "./format.ts";

/** Debian's DejaVu Sans (fonts-dejavu-core): Latin, Cyrillic, Greek, Arabic, Hebrew… shaped right by resvg. */
export const CHART_FONT_FILES = ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"];
const CHART_FONT_FAMILY = "DejaVu Sans";

/** The fonts charts are drawn with: the files given that exist, else the system's fonts. */
export interface ChartFonts {
  fontFiles: string[];
  family: string;
  /** No file found: resvg looks for the system's fonts instead. */
  system: boolean;
}

/** The fonts a chart uses: DejaVu Sans when its files are there, else whatever the system has (sans-serif). */
export function chartFonts(files: readonly string[] = CHART_FONT_FILES): ChartFonts {
  const found = files.filter((f) => existsSync(f));
  return found.length > 0 ? { fontFiles: found, family: CHART_FONT_FAMILY, system: false } : { fontFiles: [], family: "sans-serif", system: true };
}

/** A chart as posted: the PNG, the SVG it was drawn from, its title and a text alternative. */
export interface Chart {
  png: Buffer;
  svg: string;
  title: string;
  /** The chart in words (the threshold applied), for screen readers and Slack's alt text. */
  alt: string;
  width: number;
  height: number;
}

const COLOURS = { previous: "#9db4cc", current: "#1f5f99" };
/** Drawn a quarter larger than the SVG: sharper text, for a third more time (1.5 costs twice the time of 1). */
const ZOOM = 1.25;

/** What changes from one task force's chart to the next: its title, and the counts. */
interface ChartData {
  heading: string;
  values: Array<{ need: string; order: number; period: string; bar: number; shown: boolean; label: string }>;
}

/** The name of the chart's data in the spec (filled per chart). */
const DATA = "needs";

// The spec of a chart without what changes per task force (title and counts: parameters and named
// data), so charts of the same language and period share one compiled spec; and those things.
function chartParts(d: Digest, fonts: ChartFonts): { spec: TopLevelSpec; data: ChartData } {
  const lang = d.taskForce.language;
  const min = d.minCount;
  const zone = d.taskForce.timeZone;
  const now = periodEnds(d.period.from, d.period.to, zone, lang);
  const before = periodEnds(d.period.previousFrom, d.period.from, zone, lang);
  const periods = { previous: say(lang, "chart.previous", before), current: say(lang, "chart.current", now) };
  const values = d.needs.categories.flatMap((c, order) =>
    (["previous", "current"] as const).map((p) => {
      const n = c[p];
      const shown = isShown(n, min);
      // A count not shown is drawn as an empty bar up to the threshold: "somewhere below this".
      return { need: c.label, order, period: periods[p], bar: shown ? n : min, shown, label: countText(n, min, lang) };
    }),
  );
  const encoding = {
    // In the survey's order.
    y: { field: "need", type: "nominal", sort: d.needs.categories.map((c) => c.label), title: null, axis: { labelLimit: 320, labelFontSize: 12 } },
    yOffset: { field: "period", type: "nominal", sort: [periods.previous, periods.current] },
    x: { field: "bar", type: "quantitative", title: say(lang, "chart.people"), scale: { domainMin: 0, nice: true }, axis: { tickMinStep: 1, format: "d" } },
  } as const;
  const colour = { field: "period", type: "nominal", scale: { domain: [periods.previous, periods.current], range: [COLOURS.previous, COLOURS.current] }, legend: { title: null, orient: "top" } } as const;
  // The outline of a count not shown, in its period's colour (no second legend).
  const outline = { condition: { test: `datum.period === ${JSON.stringify(periods.previous)}`, value: COLOURS.previous }, value: COLOURS.current } as const;
  const data: ChartData = { heading: say(lang, "chart.title", { taskForce: d.taskForce.name }), values };
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    params: [{ name: "heading", value: "" }],
    title: { text: { expr: "heading" }, anchor: "start" },
    width: 560,
    height: { step: 30 },
    background: "white",
    padding: 16,
    config: { font: fonts.family, view: { stroke: null }, axis: { grid: true, gridOpacity: 0.4 } },
    data: { name: DATA },
    encoding,
    layer: [
      { transform: [{ filter: "datum.shown" }], mark: { type: "bar", height: { band: 0.9 } }, encoding: { color: colour } },
      {
        transform: [{ filter: "!datum.shown" }],
        mark: { type: "bar", height: { band: 0.9 }, fill: "white", strokeWidth: 1.5, strokeDash: [4, 3] },
        encoding: { stroke: outline },
      },
      { mark: { type: "text", align: "left", dx: 4, fontSize: 11, fill: "#333" }, encoding: { text: { field: "label" } } },
    ],
  } as TopLevelSpec;
  return { spec, data };
}

/** The vega-lite spec of a digest's needs chart, whole (its title and counts in it): to look at, or draw elsewhere. */
export function needsChartSpec(d: Digest, fonts: ChartFonts = chartFonts()): TopLevelSpec {
  const { spec, data } = chartParts(d, fonts);
  return {
    ...spec,
    params: [{ name: "heading", value: data.heading }],
    data: { name: DATA, values: data.values },
  } as TopLevelSpec;
}

/** The chart in words, with the threshold applied. */
function altText(d: Digest): string {
  const lang = d.taskForce.language;
  const zone = d.taskForce.timeZone;
  const count = (n: number) => countText(n, d.minCount, lang);
  const now = periodEnds(d.period.from, d.period.to, zone, lang);
  const before = periodEnds(d.period.previousFrom, d.period.from, zone, lang);
  return say(lang, "chart.alt", {
    territory: d.taskForce.territoryName,
    current: say(lang, "chart.current", now),
    previous: say(lang, "chart.previous", before),
    list: d.needs.categories.map((c) => `${c.label} ${count(c.current)} (${count(c.previous)})`).join(", "),
  });
}

/**
 * SVG to PNG with resvg, on the given fonts only (or the system's when none was found). Drawn off the
 * event loop (resvg's thread pool), so several charts, or a chart and the next digest's queries, overlap.
 */
export async function svgToPng(svg: string, fonts: ChartFonts = chartFonts(), zoom = ZOOM): Promise<{ png: Buffer; width: number; height: number }> {
  const { renderAsync } = await import("@resvg/resvg-js");
  const image = await renderAsync(svg, {
    background: "white",
    fitTo: { mode: "zoom", value: zoom },
    font: { fontFiles: fonts.fontFiles, loadSystemFonts: fonts.system, defaultFontFamily: fonts.family, sansSerifFamily: fonts.family },
    logLevel: "off",
  });
  return { png: image.asPng(), width: image.width, height: image.height };
}

// vega-lite's warnings (about a spec that is ours and fixed) are not for the people reading a digest.
const QUIET = { level: () => 0, error: () => QUIET, warn: () => QUIET, info: () => QUIET, debug: () => QUIET };

// Compiled and parsed specs (vega's runtime), by the spec without title and counts: a weekly run's
// charts of one language share one, which halves a chart's time. A few kept, the oldest dropped.
const runtimes = new Map<string, unknown>();
const RUNTIMES_KEPT = 16;

/**
 * The needs chart of a digest: needs by category, this period against the previous, as PNG (and the
 * SVG it came from); null when no needs survey was started in either period (nothing to draw).
 */
export async function needsChart(d: Digest, o: { fonts?: ChartFonts } = {}): Promise<Chart | null> {
  if (d.needs.runs.current === 0 && d.needs.runs.previous === 0) return null;
  const fonts = o.fonts ?? chartFonts();
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
  const { spec, data } = chartParts(d, fonts);
  const key = JSON.stringify(spec);
  let runtime = runtimes.get(key) as ReturnType<typeof vega.parse> | undefined;
  if (!runtime) {
    runtime = vega.parse(vegaLite.compile(spec, { logger: QUIET as never }).spec);
    if (runtimes.size >= RUNTIMES_KEPT) runtimes.delete(runtimes.keys().next().value as string);
    runtimes.set(key, runtime);
  }
  const view = new vega.View(runtime, { renderer: "none", logLevel: vega.Error });
  try {
    view.signal("heading", data.heading).data(DATA, data.values);
    const svg = await view.toSVG();
    const { png, width, height } = await svgToPng(svg, fonts);
    return { png, svg, title: data.heading, alt: altText(d), width, height };
  } finally {
    view.finalize();
  }
}
