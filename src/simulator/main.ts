// `npm run simulator`: the simulator as a process, until SIGTERM or SIGINT.
import { parseSimulatorArgs, USAGE, UsageError } from "./cli-options.js";
import { startSimulator } from "./server.js";
import type { SimulatorOptions } from "./types.js";

async function main(): Promise<void> {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    console.log(USAGE);
    return;
  }
  let options: SimulatorOptions;
  try {
    options = parseSimulatorArgs(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const simulator = await startSimulator(options);
  const proxies = simulator.state.proxies().length;
  console.log(
    `Apinizer simulator (${options.flavour ?? "newer"}) listening on ${simulator.url} with ${proxies} proxies`,
  );

  const stop = (signal: NodeJS.Signals) => {
    console.log(`${signal}: stopping the simulator`);
    simulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((error: unknown) => {
  // Invalid option values (rates, fleet names) surface here as RangeError/Error from startSimulator.
  console.error(`simulator failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
});
