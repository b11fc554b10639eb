import { describe, expect, it } from 'vitest';
import { createSseParser } from './sse-parser.ts';

describe('createSseParser', () => {
  it('parses typed events with ids and JSON data', () => {
    const parser = createSseParser();
    const events = parser.push(
      'event: message\nid: 5\ndata: {"messages":[]}\n\nevent: turn\nid: 6\ndata: {"seq":2}\n\n',
    );
    expect(events).toEqual([
      { event: 'message', data: '{"messages":[]}', id: '5' },
      { event: 'turn', data: '{"seq":2}', id: '6' },
    ]);
  });

  it('handles any chunking, including a CRLF split across chunks', () => {
    const text = 'event: state\r\nid: 9\r\ndata: {"owner":"human"}\r\n\r\n';
    for (let size = 1; size <= text.length; size++) {
      const parser = createSseParser();
      const events = [];
      for (let i = 0; i < text.length; i += size) events.push(...parser.push(text.slice(i, i + size)));
      expect(events, `chunks of ${size}`).toEqual([{ event: 'state', data: '{"owner":"human"}', id: '9' }]);
    }
  });

  it('accepts bare CR line ends', () => {
    expect(createSseParser().push('data: a\rdata: b\r\r')).toEqual([
      { event: 'message', data: 'a\nb', id: undefined },
    ]);
  });

  it('ignores comments (heartbeats), unknown fields and events without data', () => {
    const parser = createSseParser();
    expect(parser.push(': ping\n\n: ping\nretry: 1000\nfoo: bar\n\nevent: turn\n\n')).toEqual([]);
    // the event type does not leak into the next event
    expect(parser.push('data: x\n\n')).toEqual([{ event: 'message', data: 'x', id: undefined }]);
  });

  it('keeps the last id for later events and strips only one leading space', () => {
    const parser = createSseParser();
    expect(parser.push('id: 1\ndata:  two spaces\n\ndata:no space\n\n')).toEqual([
      { event: 'message', data: ' two spaces', id: '1' },
      { event: 'message', data: 'no space', id: '1' },
    ]);
  });

  it('ignores an id containing NUL and keeps an incomplete event for the next chunk', () => {
    const parser = createSseParser();
    expect(parser.push('id: 3\ndata: a\n\nid: x\0y\ndata: b\n')).toEqual([
      { event: 'message', data: 'a', id: '3' },
    ]);
    expect(parser.push('\n')).toEqual([{ event: 'message', data: 'b', id: '3' }]);
  });

  it('commits an id at the end of its block, also for a block without data', () => {
    const parser = createSseParser();
    parser.push('id: 10\n');
    expect(parser.lastEventId).toBeUndefined(); // a drop here must not skip the event being read
    expect(parser.push('\n')).toEqual([]);
    expect(parser.lastEventId).toBe('10');
    parser.push('id: 11\ndata: x\n');
    expect(parser.lastEventId).toBe('10');
    parser.push('\n');
    expect(parser.lastEventId).toBe('11');
  });
});
