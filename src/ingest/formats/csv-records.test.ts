import { describe, expect, it } from 'vitest';
import { type CsvRecord, csvRecords, firstCsvRecord } from './csv-records.ts';

/** Feeds the text in chunks of `size` chars, so every chunk boundary case is crossed. */
async function read(text: string, size = text.length || 1): Promise<CsvRecord[]> {
  async function* chunks() {
    for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
  }
  const records: CsvRecord[] = [];
  for await (const batch of csvRecords(chunks())) records.push(...batch);
  return records;
}

const fields = (records: CsvRecord[]) => records.map((r) => r.fields);

describe('csvRecords', () => {
  const tricky = [
    'id,text,n',
    '1,"a, b",2',
    '2,"line one',
    'line two ""quoted""",3',
    '',
    '3,plain,4',
    '4,"",',
  ].join('\n');

  it('reads quoted commas, quotes, line breaks, empty fields, and skips blank lines', async () => {
    const records = await read(tricky);
    expect(fields(records)).toEqual([
      ['id', 'text', 'n'],
      ['1', 'a, b', '2'],
      ['2', 'line one\nline two "quoted"', '3'],
      ['3', 'plain', '4'],
      ['4', '', ''],
    ]);
    expect(records.map((r) => r.line)).toEqual([1, 2, 3, 6, 7]);
    expect(records[2]?.raw).toBe('2,"line one\nline two ""quoted""",3');
    expect(records.every((r) => r.problem === null)).toBe(true);
  });

  it('gives the same records whatever the chunk size', async () => {
    const whole = await read(tricky);
    for (const size of [1, 2, 3, 7]) expect(await read(tricky, size)).toEqual(whole);
  });

  it('handles CRLF, a lone CR line end, a BOM and a last line without a break', async () => {
    const records = await read('\uFEFFa,b\r\n1,"x\r\ny"\r2,z');
    expect(fields(records)).toEqual([
      ['a', 'b'],
      ['1', 'x\r\ny'],
      ['2', 'z'],
    ]);
    expect(records.map((r) => r.line)).toEqual([1, 2, 4]);
    expect(await read('\uFEFFa,b\r\n1,"x\r\ny"\r2,z', 1)).toEqual(records);
  });

  it('flags an unterminated quote and text after a closing quote instead of throwing', async () => {
    const records = await read('a,b\n1,"ok"x\n2,"never closed\n3,c');
    expect(records[1]).toMatchObject({ fields: ['1', 'okx'], line: 2 });
    expect(records[1]?.problem).toMatch(/after the closing quote/);
    expect(records[2]).toMatchObject({ line: 3, problem: 'unterminated quoted field' });
    expect(records[2]?.fields[1]).toBe('never closed\n3,c');
  });

  it('reads a 1 MB field split across many chunks, in linear time', async () => {
    const big = 'x'.repeat(1024 * 1024);
    const text = `id,body\n1,"${big}\nend"\n2,short\n`;
    const started = performance.now();
    const records = await read(text, 16 * 1024);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(records[1]?.fields[1]).toBe(`${big}\nend`);
    expect(records[2]).toMatchObject({ fields: ['2', 'short'], line: 4 });
  });

  it('sniffs semicolon and tab delimiters from the header', async () => {
    expect(fields(await read('a;b\n"1;2";3'))).toEqual([
      ['a', 'b'],
      ['1;2', '3'],
    ]);
    expect(fields(await read('a\tb\n1,2\t3'))).toEqual([
      ['a', 'b'],
      ['1,2', '3'],
    ]);
  });

  it('reads the header from a head', () => {
    expect(firstCsvRecord('\uFEFFid,"sub,ject"\n1,2')).toEqual(['id', 'sub,ject']);
    expect(firstCsvRecord('only,a,header')).toEqual(['only', 'a', 'header']);
    expect(firstCsvRecord('')).toBeNull();
  });
});
