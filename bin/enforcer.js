#!/usr/bin/env node
// The `enforcer` command: runs the TypeScript CLI through tsx, so it needs no build step.
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

// This repository's tsconfig, not whatever tsconfig.json the caller's working directory has.
register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
const { run } = await import("../src/cli/main.ts");
// exitCode, not exit(): piped stdout is written asynchronously and must drain first.
process.exitCode = await run(process.argv.slice(2));
