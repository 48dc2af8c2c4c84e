/**
 * NDJSON lines from a byte stream, numbered from 1, without ever holding more than one line
 * (up to `maxBytes`) and one chunk: a longer line is reported as too long, and skipped.
 */

/** One line: its number and text, or `null` text when it was longer than the limit. */
export interface Line {
  number: number;
  text: string | null;
}

/** The lines of `source`; a final line without a newline counts; a `\r` before `\n` is dropped. */
export async function* lines(source: AsyncIterable<Buffer | string>, maxBytes: number): AsyncGenerator<Line> {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let pending = '';
  let tooLong = false;
  let number = 0;
  const finish = (text: string): Line => {
    number++;
    // A line whose end came in the same chunk as its excess never sat in `pending`: measured here.
    const long = tooLong || Buffer.byteLength(text) > maxBytes;
    const line = { number, text: long ? null : text.endsWith('\r') ? text.slice(0, -1) : text };
    tooLong = false;
    return line;
  };
  for await (const chunk of source) {
    let text = pending + (typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    let newline: number;
    while ((newline = text.indexOf('\n')) >= 0) {
      yield finish(text.slice(0, newline));
      text = text.slice(newline + 1);
    }
    pending = text;
    if (Buffer.byteLength(pending) > maxBytes) {
      tooLong = true;
      pending = '';
    }
  }
  pending += decoder.decode();
  if (pending !== '' || tooLong) yield finish(pending);
}
