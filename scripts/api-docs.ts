// `npm run docs:api`: writes docs/api.md from the OpenAPI document (scripts/api-reference.ts).
// `--check` writes nothing and exits 1 when docs/api.md is not what it would write.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { apiDocument } from "../src/http/api-document.js";
import { renderApiReference } from "./api-reference.js";

const file = fileURLToPath(new URL("../docs/api.md", import.meta.url));
const text = renderApiReference(apiDocument());
if (process.argv.includes("--check")) {
  if (readFileSync(file, "utf8") !== text) {
    process.stderr.write("docs/api.md is out of date: run npm run docs:api\n");
    process.exit(1);
  }
} else {
  writeFileSync(file, text);
}
