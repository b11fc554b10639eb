import { describe, expect, it } from 'vitest';
import { compileMapping, compilePathTemplate, compileTemplate, readPath } from './templates.ts';

describe('http templates', () => {
  it('URL-encodes every output of a path template and lists its variables', () => {
    const path = compilePathTemplate('/customers/{{ email }}/orders/{{ order.number | upcase }}');
    expect(path.render({ email: 'a+b@x.example', order: { number: 'sb-1 ?' } })).toBe(
      '/customers/a%2Bb%40x.example/orders/SB-1%20%3F',
    );
    expect(path.variables).toEqual(['email', 'order']);
  });

  it('reads no files and knows no unknown filters', () => {
    expect(() => compileTemplate('{% include "/etc/passwd" %}').render({})).toThrow();
    expect(() => compileTemplate('{{ x | exec }}')).toThrow(/undefined filter: exec/);
  });

  it('cannot reach prototype members', () => {
    expect(compileTemplate('{{ x.constructor }}').render({ x: {} })).toBe('');
  });

  it('keeps the type of a lone variable in a JSON mapping', () => {
    const mapping = compileMapping({
      n: '{{ n }}',
      list: '{{ tags }}',
      text: 'n={{ n }}',
      nested: ['{{ a.b }}', 1, null],
    });
    expect(mapping.render({ n: 3, tags: ['x', 'y'], a: { b: false } })).toEqual({
      n: 3,
      list: ['x', 'y'],
      text: 'n=3',
      nested: [false, 1, null],
    });
    expect(mapping.variables.sort()).toEqual(['a', 'n', 'tags']);
    expect(compileMapping('{{ missing }}').render({})).toBeNull();
  });

  it('reads dotted paths through objects and arrays', () => {
    const body = { order: { lines: [{ sku: 'A' }, { sku: 'B' }] }, count: 0 };
    expect(readPath(body, 'order.lines.1.sku')).toBe('B');
    expect(readPath(body, 'order.lines.length')).toBe(2);
    expect(readPath(body, 'count')).toBe(0);
    expect(readPath(body, 'order.nope.deeper')).toBeUndefined();
    expect(readPath(body, 'order.constructor')).toBeUndefined();
    expect(readPath(null, 'a')).toBeUndefined();
  });
});
