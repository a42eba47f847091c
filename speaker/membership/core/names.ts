// Node names as the heartbeat carries them: 1..255 bytes of UTF-8 (message.ts, one length byte each for
// `from` and `to`). A name the heartbeat cannot carry must be refused where configuration is read
// (source/parse.ts, --node-name) and again where membership is given its peers: one bad entry must never
// reach the encoder, which throws, from a timer, after the socket is bound.

/** The longest node name a heartbeat can carry, in UTF-8 bytes. */
export const MAX_NAME_BYTES = 255;

/** How much of a bad value an error message quotes. */
const QUOTED_CHARS = 40;

const utf8 = new TextEncoder();

/** The value for an error message: quoted, and cut after QUOTED_CHARS characters so a log line stays a line. */
export function quoteName(value: string): string {
  const chars = [...value];
  if (chars.length <= QUOTED_CHARS) return JSON.stringify(value);
  return `${JSON.stringify(chars.slice(0, QUOTED_CHARS).join(''))}… (${chars.length} characters)`;
}

/** Why `name` cannot be a node name on the heartbeat wire, or null when it can. */
export function nodeNameProblem(name: string): string | null {
  const bytes = utf8.encode(name).length;
  if (bytes === 0) return 'node name is empty';
  if (bytes > MAX_NAME_BYTES) return `node name ${quoteName(name)} is ${bytes} bytes of UTF-8; a heartbeat carries at most ${MAX_NAME_BYTES}`;
  return null;
}
