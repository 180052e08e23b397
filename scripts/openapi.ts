// `npm run openapi [-- FILE]`: the OpenAPI document an API process serves at /openapi.json,
// built without Redis or a gateway, written to FILE (default: stdout).
import { writeFileSync } from "node:fs";
import { apiDocument } from "../src/http/api-document.js";

const text = `${JSON.stringify(apiDocument(), null, 2)}\n`;
const [file] = process.argv.slice(2);
if (file === undefined) process.stdout.write(text);
else writeFileSync(file, text);
