import { describe, expect, it } from 'vitest';
import { csvField } from './csv.ts';

describe('csvField', () => {
  it('neutralises a text that a spreadsheet would run as a formula', () => {
    expect(csvField('=1+2')).toBe("'=1+2");
    expect(csvField('+cmd|calc')).toBe("'+cmd|calc");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\t=1')).toBe("'\t=1");
    expect(csvField('\r=1')).toBe(`"'\r=1"`);
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
  });

  it('leaves numbers and ordinary text as they are, quoting per RFC 4180', () => {
    expect(csvField(-3)).toBe('-3');
    expect(csvField('-12.5')).toBe('-12.5');
    expect(csvField('Password reset')).toBe('Password reset');
    expect(csvField('say "hi", there')).toBe('"say ""hi"", there"');
  });
});
