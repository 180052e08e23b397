#!/usr/bin/env node
// Compiles src/ into dist/, the JavaScript every process runs (plain JS: it must run before a build).
//
//   node scripts/build.mjs             `npm run build`: type-check, then compile every file
//   node scripts/build.mjs --if-stale  compile only what is missing or older than its source (no
//                                      type check); `npm ci` (prepare), the start scripts and the test
//                                      suite run this, so dist/ never lags behind src/
//
// Each file is compiled on its own (TypeScript's transpileModule: the tsconfig has isolatedModules),
// with a source map; any other file under src/ (Lua scripts, ...) is copied beside its module, since
// modules read those through import.meta.url. dist/ files whose source is gone are deleted. Without
// src/ (a Docker image carries dist/ only) there is nothing to do. Without TypeScript (installed with
// --omit=dev) a stale dist/ is only reported, and a missing one is an error.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SRC = join(ROOT, "src");
const DIST = join(ROOT, "dist");
const CONFIGS = ["tsconfig.json", "tsconfig.build.json"].map((name) => join(ROOT, name));
// Not shipped: tests and type declarations (no output of their own).
const skipped = (file) => file.endsWith(".test.ts") || file.endsWith(".d.ts");
const outputOf = (file) => join(DIST, file.endsWith(".ts") ? `${file.slice(0, -3)}.js` : file);
const mtime = (path) => statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? -1;
// Several builds may run at once (npm run simulator & npm start): each tolerates files the other
// deletes meanwhile, and writes whole files only (write, then rename), so no process ever loads a
// half-written module.
function walk(dir, base = dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if (error.code === "ENOENT") return [];
    throw error;
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return walk(path, base);
    return entry.isFile() ? [relative(base, path)] : [];
  });
}
const writeWhole = (path, data) => {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, data);
  renameSync(temporary, path);
};

function plan(force) {
  const sources = walk(SRC).filter((file) => !skipped(file));
  const configTime = Math.max(...CONFIGS.map(mtime));
  const stale = sources.filter((file) => {
    if (force) return true;
    const built = mtime(outputOf(file));
    return built < mtime(join(SRC, file)) || (file.endsWith(".ts") && built < configTime);
  });
  const expected = new Set(sources.flatMap((file) => [outputOf(file), `${outputOf(file)}.map`]));
  // Another build's file being written is not an orphan (unless that build died a while ago).
  const writing = (path) => /\.\d+\.tmp$/.test(path) && mtime(path) > Date.now() - 60_000;
  const orphans = walk(DIST)
    .map((file) => join(DIST, file))
    .filter((path) => !expected.has(path) && !writing(path));
  return { sources, stale, orphans };
}

async function typescript() {
  try {
    return (await import("typescript")).default;
  } catch {
    return undefined;
  }
}

function typeCheck(ts) {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, "tsconfig.build.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => fail(ts.flattenDiagnosticMessageText(d.messageText, "\n")),
    },
  );
  const program = ts.createProgram({
    rootNames: parsed.fileNames,
    options: { ...parsed.options, noEmit: true },
  });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  if (diagnostics.length === 0) return;
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => "\n" };
  process.stderr.write(ts.formatDiagnosticsWithColorAndContext(diagnostics, host));
  fail(`${diagnostics.length} type error(s): dist/ left as it was`);
}

function compile(ts, files) {
  const { options } = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, "tsconfig.build.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: () => {},
    },
  );
  for (const file of files) {
    const source = join(SRC, file);
    const output = outputOf(file);
    mkdirSync(dirname(output), { recursive: true });
    if (!file.endsWith(".ts")) {
      writeWhole(output, readFileSync(source));
      continue;
    }
    const result = ts.transpileModule(readFileSync(source, "utf8"), {
      fileName: source,
      // The package is "type": "module": every file is ESM, which NodeNext cannot tell file by file here.
      compilerOptions: {
        ...options,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        sourceMap: true,
        inlineSourceMap: false,
        declaration: false,
      },
    });
    const map = JSON.parse(result.sourceMapText ?? "{}");
    map.sources = [relative(dirname(output), source)];
    writeWhole(`${output}.map`, JSON.stringify(map));
    writeWhole(output, result.outputText);
  }
}

function fail(message) {
  console.error(`build: ${message}`);
  process.exit(1);
}

const ifStale = process.argv.includes("--if-stale");
if (!existsSync(SRC)) process.exit(0);
const { stale, orphans } = plan(!ifStale);
for (const path of orphans) rmSync(path, { force: true });
if (stale.length === 0) process.exit(0);

const ts = await typescript();
if (ts === undefined) {
  const hint = "TypeScript is not installed (npm ci --omit=dev?): run npm ci, then npm run build";
  if (!existsSync(join(DIST, "main.js"))) fail(`dist/ is missing and cannot be built. ${hint}`);
  console.error(`build: warning: ${stale.length} file(s) of dist/ are older than src/. ${hint}`);
  process.exit(0);
}
const started = performance.now();
if (!ifStale) typeCheck(ts);
compile(ts, stale);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.error(`build: ${stale.length} file(s) compiled into dist/ in ${seconds} s`);
