#!/usr/bin/env -S node --max-semi-space-size=2 --optimize-for-size
// The published CLI runs the TypeScript sources through tsx, so there is no build step to forget.
//
// Memory (README, "What server do I need?"): by default V8 lets each JavaScript heap's young generation
// grow to 3 × 16 MB and its old generation to several times what is live before collecting it, and this
// process has two heaps (the app's, and the thread where tsx compiles modules): on a small pilot's
// server that is 100 MB or more held for nothing. 2 MB semi-spaces and --optimize-for-size (the heap
// kept close to what is live) cost a little CPU in more frequent collections. The line above sets them
// for `npx inloco` and `./src/cli/inloco.js`; `npm start` passes them too. Run as
// `node src/cli/inloco.js`, only the module thread started below can still be given the first.
// `node --max-semi-space-size=16 src/cli/inloco.js start` (say) trades the memory back for speed.
import { setFlagsFromString } from "node:v8";
import { register } from "tsx/esm/api";

if (![...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)].some((a) => a.startsWith("--max-semi-space-size"))) {
  setFlagsFromString("--max-semi-space-size=2");
}
register();
await import("./main.ts");
