import { type TicketRecord, TicketRecordSchema } from '../domain/index.ts';
import type { Importer, ImportItem, ImportOptions } from './importer.ts';
import { textSource } from './source.ts';

/**
 * Test helper: runs an importer over a string and returns its tickets and rejects. Every ticket is checked
 * against the domain schema, so a test fails if an importer emits a malformed record.
 */
export async function readAll(
  importer: Importer,
  text: string,
  options: Partial<ImportOptions> = {},
  path = 'fixture',
): Promise<{ tickets: TicketRecord[]; rejects: Extract<ImportItem, { kind: 'reject' }>[] }> {
  const tickets: TicketRecord[] = [];
  const rejects: Extract<ImportItem, { kind: 'reject' }>[] = [];
  for await (const item of importer.read(textSource(text, path), { mapping: {}, ...options })) {
    if (item.kind === 'ticket') {
      const parsed = TicketRecordSchema.safeParse(item.ticket);
      if (!parsed.success) {
        throw new Error(`importer ${importer.format} emitted an invalid ticket: ${parsed.error.message}`);
      }
      tickets.push(item.ticket);
    } else rejects.push(item);
  }
  return { tickets, rejects };
}
