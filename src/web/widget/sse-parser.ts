/** One server-sent event, as the EventSource algorithm dispatches it (comments and empty events dropped). */
export interface SseEvent {
  /** The `event:` field, `message` when absent. */
  event: string;
  /** The `data:` lines joined with `\n`. */
  data: string;
  /** The last `id:` of the stream so far (ids carry over to later events, as in EventSource). */
  id: string | undefined;
}

export interface SseParser {
  /** Feeds decoded text (any chunking, even inside a line or a CRLF) and returns the events it completed. */
  push(chunk: string): SseEvent[];
  /** The id to resume from: set when an event block ends (even one without data), never half-way through it. */
  readonly lastEventId: string | undefined;
}

/**
 * An incremental text/event-stream parser following the WHATWG algorithm: LF, CR and CRLF line ends, one
 * optional space after the colon, multi-line data, comment lines (`: ping`), ids containing NUL ignored.
 *
 * @example
 * const parser = createSseParser();
 * parser.push('event: turn\nid: 7\ndata: {"seq":3}\n'); // []
 * parser.push('\n'); // [{ event: 'turn', data: '{"seq":3}', id: '7' }]
 */
export function createSseParser(): SseParser {
  let buffer = '';
  let skipLeadingLf = false;
  let eventType = '';
  let data: string[] = [];
  let idBuffer: string | undefined;
  let lastId: string | undefined;

  function line(text: string, out: SseEvent[]): void {
    if (text === '') {
      lastId = idBuffer;
      if (data.length > 0) out.push({ event: eventType || 'message', data: data.join('\n'), id: lastId });
      data = [];
      eventType = '';
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') eventType = value;
    else if (field === 'id' && !value.includes('\0')) idBuffer = value;
  }

  return {
    get lastEventId() {
      return lastId;
    },
    push(chunk) {
      buffer += chunk;
      if (skipLeadingLf && buffer.length > 0) {
        if (buffer.startsWith('\n')) buffer = buffer.slice(1);
        skipLeadingLf = false;
      }
      const out: SseEvent[] = [];
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const c = buffer.charCodeAt(i);
        if (c !== 10 && c !== 13) continue;
        line(buffer.slice(start, i), out);
        if (c === 13) {
          if (i + 1 === buffer.length) skipLeadingLf = true;
          else if (buffer.charCodeAt(i + 1) === 10) i++;
        }
        start = i + 1;
      }
      buffer = buffer.slice(start);
      return out;
    },
  };
}
