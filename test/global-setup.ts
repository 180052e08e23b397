// Once per `vitest run`: compile what changed in src/ into dist/, which the tests spawn
// (`node dist/main.js`, ...) exactly as `npm start` runs it. A no-op when dist/ is fresh.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export default function setup(): void {
  const build = fileURLToPath(new URL("../scripts/build.mjs", import.meta.url));
  execFileSync(process.execPath, [build, "--if-stale"], { stdio: "inherit" });
}
