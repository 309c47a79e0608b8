import { BASE_ARGS } from "./test/bench/chromium.ts";
import * as c from "./test/bench/chromium.ts";
const all = [...BASE_ARGS, "--renderer-process-limit=1", "--no-zygote", "--in-process-gpu", "--disable-features=AudioServiceOutOfProcess,site-per-process,IsolateOrigins", "--disable-site-isolation-trials", "--disable-software-rasterizer", "--disable-component-update"];
const variants: Record<string, string[]> = {
  base: BASE_ARGS,
  all,
  "all+js": [...all, "--js-flags=--max-semi-space-size=1"],
};
await (c as any).experiment(variants);
