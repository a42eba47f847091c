// Messages that stay short whatever the input. A pool may list 1 000 entries and overlap as many ranges of
// another, and a name may be 253 characters long: a message about many things says how many there are and
// shows the first few, and boundedMessage is the hard cap every condition and event message passes through
// before it leaves the core (controller/reconcile), so no input can make the API server refuse a write.

/**
 * The longest message Herald writes, in UTF-8 bytes: the note limit of events.k8s.io/v1 Events (1 KiB), far
 * below a condition message's 32 KiB, so a pool's condition message can also be its event's.
 */
export const MESSAGE_MAX_BYTES = 1024;

/** How many items a list in a message shows before "and N more". */
export const SHOWN_ITEMS = 3;

/** The end of a message cut short by boundedMessage. */
export const CUT_MARK = ' …';

const encoder = new TextEncoder();

export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

/** UTF-8 bytes of one character (a code point). */
function charBytes(char: string): number {
  const code = char.codePointAt(0) ?? 0;
  return code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
}

/** `a, b, c and 997 more` (`… and 997 more pools` with `noun` "pool"); all of them, joined by ", ", when they are
 *  no more than `shown`. */
export function someOf(items: readonly string[], shown = SHOWN_ITEMS, noun = ''): string {
  if (items.length <= shown) return items.join(', ');
  const rest = items.length - shown;
  return `${items.slice(0, shown).join(', ')} and ${rest} more${noun ? ` ${rest === 1 ? noun : `${noun}s`}` : ''}`;
}

/** `a`, `a and b`, `a, b and c`. */
export function joinAnd(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;
}

/** `"1 range"`, `"1000 ranges"`. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/** At most `maxChars` characters of `text` (a value quoted in a message), ending "…" when cut. */
export function clip(text: string, maxChars: number): string {
  const chars = [...text];
  return chars.length <= maxChars ? text : `${chars.slice(0, Math.max(0, maxChars - 1)).join('')}…`;
}

/**
 * The hard cap: `message` if it fits in `maxBytes` UTF-8 bytes, else its longest prefix (whole characters) that
 * fits together with CUT_MARK. The lists in messages are already short (someOf); this catches what nothing
 * else bounds, such as very long names.
 */
export function boundedMessage(message: string, maxBytes = MESSAGE_MAX_BYTES): string {
  if (utf8Length(message) <= maxBytes) return message;
  const room = maxBytes - utf8Length(CUT_MARK);
  let used = 0;
  let kept = '';
  for (const char of message) {
    const size = charBytes(char);
    if (used + size > room) break;
    used += size;
    kept += char;
  }
  return `${kept}${CUT_MARK}`;
}
