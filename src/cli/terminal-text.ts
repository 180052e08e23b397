// Names and messages come from the service, and through it from the gateway: neither is ours. A
// terminal obeys control characters (ESC sequences can clear the screen, retitle the window or
// rewrite what was printed; CR overwrites a line) and bidirectional-text controls reorder what is
// shown, so such characters are printed as escapes instead: harmless, and visibly odd.

/** C0, DEL, C1 (hence every ESC and CSI sequence) and the bidi embedding, override, isolate and mark controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { "\t": "\\t", "\n": "\\n", "\r": "\\r" };

const escaped = (char: string): string => {
  const code = char.charCodeAt(0);
  return (
    NAMED[char] ??
    (code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`)
  );
};

/**
 * `text` safe to print on a terminal, on one line: unsafe characters become `\x1b`, `\r`, `\u202e`
 * and the like. Backslashes are left alone, so applying it twice changes nothing.
 */
export const terminalText = (text: string): string => text.replace(UNSAFE, escaped);

/** A message of several lines of our own (an error with its details): each line made safe. */
export const terminalLines = (text: string): string => text.split("\n").map(terminalText).join("\n");
