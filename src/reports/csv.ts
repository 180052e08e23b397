/**
 * Text a spreadsheet would read as a formula (OWASP CSV injection, ASVS 1.2.10): `=`, `+`, `-` or
 * `@` as the first non-blank character (spreadsheets skip leading spaces and line breaks), or a
 * tab, CR or NUL as the very first character.
 */
const FORMULA_START = /^(?:[\t\r\0]|\s*[=+\-@])/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One CSV field (RFC 4180). Text that a spreadsheet would evaluate gets a leading `'` and is kept
 * otherwise: proxy names and gateway messages are not ours, and a report is opened in Excel by
 * someone trusted.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV record with its CRLF line break. */
export const csvRow = (values: ReadonlyArray<string | number | null>): string =>
  `${values.map(csvField).join(",")}\r\n`;
