import { loadConfig } from "./config/config.js";
import { loadEnvFile } from "./config/env-file.js";
import { ConfigError } from "./config/secrets.js";
import { createLogger } from "./log.js";
import { type Mode, startRuntime } from "./runtime.js";

const MODES: readonly Mode[] = ["all", "api", "worker"];

async function main(): Promise<void> {
  const mode = (process.argv[2] ?? "all") as Mode;
  if (!MODES.includes(mode)) {
    console.error(`usage: node dist/main.js ${MODES.join("|")}`);
    process.exit(2);
  }
  let config: ReturnType<typeof loadConfig>;
  let envFile: ReturnType<typeof loadEnvFile>;
  try {
    envFile = loadEnvFile();
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  if (envFile !== undefined)
    log.info({ file: envFile.file, applied: envFile.applied }, "environment file read (set variables kept)");
  if (config.authDisabled)
    log.warn("ENFORCER_AUTH=disabled: every caller is admin; use this only for local demos");
  if (config.gateways.size === 0)
    log.warn("no gateway configured (APINIZER_BASE_URL or ENFORCER_GATEWAYS_FILE)");

  const runtime = await startRuntime(config, mode, log);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down: finishing in-flight work");
    await runtime.stop();
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((error) => {
  console.error("fatal:", error instanceof Error ? error.message : error);
  process.exit(1);
});
