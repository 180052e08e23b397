#!/usr/bin/env node
// The `enforcer` command: runs the compiled CLI in dist/ (`npm ci` builds it; after changing src/,
// `npm run build`).
import { existsSync } from "node:fs";

const cli = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(cli)) {
  console.error("enforcer: dist/ is not built: run `npm run build` in the enforcer's directory first");
  process.exit(1);
}
const { run } = await import(cli.href);
// exitCode, not exit(): piped stdout is written asynchronously and must drain first.
process.exitCode = await run(process.argv.slice(2));
