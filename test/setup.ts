// Runs before every test file: whatever a file's tests or hooks did (a timeout, a throw in a
// beforeAll, a failed assertion before a kill), no process it started outlives it.
import { afterAll } from "vitest";
import { killLeftovers } from "./helpers/process.js";

afterAll(() => {
  const killed = killLeftovers();
  if (killed > 0) console.warn(`killed ${killed} child process(es) the test file left running`);
});
// A worker that dies without running its hooks still takes its children down.
process.once("exit", () => killLeftovers());
