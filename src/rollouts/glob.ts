// Glob matching of proxy names without regular expressions. A backtracking regex of a pattern like
// `*a*a*a*a*a*a*a*a*b` takes hours on a 70-character name and blocks the event loop meanwhile;
// here the pattern is cut at its stars and each piece is found leftmost, once, in order, so a name
// is never rescanned from an earlier star: at worst O(name × pattern), usually O(name + pattern).
//
// Semantics: the whole name, case-sensitively; `*` any run of characters, `/` included (proxy
// names are not paths); `?` exactly one character (code point); `\` makes the next character
// literal. Nothing else is special: `[`, `{`, `!` and `(` are ordinary characters.

/** One character of any kind. Literal runs are plain strings. */
const ANY = Symbol("?");
type Token = string | typeof ANY;

/** What a pattern holds between two stars: literal runs and `?`s. */
type Piece = readonly Token[];

interface CompiledGlob {
  /** Characters (code points) any match needs: a shorter name is refused without a look. */
  minLength: number;
  /** Must match at the start. */
  head: Piece;
  /** Each found leftmost after the previous one. */
  middle: readonly Piece[];
  /** Must match at the end, `width` characters long; undefined when the pattern has no star. */
  tail: { piece: Piece; width: number } | undefined;
}

const isHigh = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLow = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/** The index after the character (code point) at `i`. */
function next(name: string, i: number): number {
  return isHigh(name.charCodeAt(i)) && isLow(name.charCodeAt(i + 1)) ? i + 2 : i + 1;
}

/** The index `count` characters (code points) before `end`, or -1 when the name is shorter. */
function back(name: string, end: number, count: number): number {
  let i = end;
  for (let n = 0; n < count; n++) {
    if (i <= 0) return -1;
    i -= isLow(name.charCodeAt(i - 1)) && isHigh(name.charCodeAt(i - 2)) ? 2 : 1;
  }
  return i;
}

/** Where `piece` ends when it matches at `i`, or -1. */
function matchAt(piece: Piece, name: string, i: number): number {
  let at = i;
  for (const token of piece) {
    if (token === ANY) {
      if (at >= name.length) return -1;
      at = next(name, at);
    } else if (name.startsWith(token, at)) at += token.length;
    else return -1;
  }
  return at;
}

/** Where the leftmost match of `piece` at or after `from` ends, or -1. */
function findFrom(piece: Piece, name: string, from: number): number {
  const [first] = piece;
  for (let i = from; i <= name.length; i = next(name, i)) {
    // A leading literal lets indexOf skip to the candidates.
    if (typeof first === "string") {
      i = name.indexOf(first, i);
      if (i < 0) return -1;
    }
    const end = matchAt(piece, name, i);
    if (end >= 0) return end;
  }
  return -1;
}

function pieces(pattern: string): Token[][] {
  const result: Token[][] = [[]];
  let literal = "";
  const piece = () => result[result.length - 1] as Token[];
  const flush = () => {
    if (literal !== "") piece().push(literal);
    literal = "";
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "*") {
      flush();
      result.push([]);
    } else if (c === "?") {
      flush();
      piece().push(ANY);
    } else if (c === "\\" && i + 1 < pattern.length) {
      // A trailing backslash escapes nothing and stays a backslash.
      i++;
      literal += pattern[i];
    } else literal += c;
  }
  flush();
  return result;
}

/** Characters (code points) a piece matches: it has no star, so always the same number. */
const width = (piece: Piece) =>
  piece.reduce((sum, token) => sum + (token === ANY ? 1 : [...token].length), 0);

/** A pattern without a wildcard compiles to its literal (escapes resolved). */
function compile(pattern: string): CompiledGlob | string {
  const all = pieces(pattern);
  const [head = [], ...rest] = all;
  if (rest.length === 0 && !head.includes(ANY)) return head.join("");
  const minLength = all.reduce((sum, piece) => sum + width(piece), 0);
  if (rest.length === 0) return { minLength, head, middle: [], tail: undefined };
  const tail = rest.at(-1) ?? [];
  return { minLength, head, middle: rest.slice(0, -1), tail: { piece: tail, width: width(tail) } };
}

function matches(glob: CompiledGlob, name: string): boolean {
  // A code point is one or two code units, so fewer units than characters needed cannot match.
  if (name.length < glob.minLength) return false;
  let at = matchAt(glob.head, name, 0);
  if (at < 0) return false;
  if (glob.tail === undefined) return at === name.length;
  // The tail is fixed-width, so where it must start is known: check it before the middle.
  const tailStart = back(name, name.length, glob.tail.width);
  if (tailStart < at || matchAt(glob.tail.piece, name, tailStart) !== name.length) return false;
  for (const piece of glob.middle) {
    at = findFrom(piece, name, at);
    if (at < 0 || at > tailStart) return false;
  }
  return true;
}

/**
 * Tests names against any of `patterns`. Patterns without a wildcard go into a Set, so a thousand
 * exact names cost one lookup per name, not a thousand comparisons.
 */
export function globSet(patterns: readonly string[]): (name: string) => boolean {
  const exact = new Set<string>();
  const globs: CompiledGlob[] = [];
  for (const pattern of patterns) {
    const compiled = compile(pattern);
    if (typeof compiled === "string") exact.add(compiled);
    else globs.push(compiled);
  }
  return (name) => exact.has(name) || globs.some((glob) => matches(glob, name));
}
