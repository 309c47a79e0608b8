// Runs in every test worker before the test files.

// nock (through @mswjs/interceptors), grammY and puppeteer-core call Promise.withResolvers, which
// Node 20 lacks (it arrived in Node 22). nock stays on 14.0.x: 15 declares Node >= 22.20, and npm
// install on Node 20 would warn EBADENGINE.
// (Typed loosely: the project's lib setting, ES2023, does not declare it either.)
if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== "function") {
  Object.defineProperty(Promise, "withResolvers", {
    configurable: true,
    writable: true,
    value: function withResolvers<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}
