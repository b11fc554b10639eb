import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../store/index.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import { aMessage, aTicket, T0 } from '../store/test-builders.ts';
import { loadExclusionRules } from './exclusions.ts';
import { renderHtmlReport } from './report-html.ts';
import { runAudit } from './run-audit.ts';
import { reportMarkdown } from './write-outputs.ts';

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

describe('audit of a store holding out-of-range times (imported before the import checked them)', () => {
  it('does not crash ("RangeError: Invalid time value"), nor do its reports', async () => {
    store = await openSqliteStore({ path: ':memory:' });
    const good = (id: string, at: number) =>
      aTicket({ externalId: id, createdAt: at, messages: [aMessage({ createdAt: at })] });
    await store.upsertTickets(
      [
        good('1', T0),
        good('2', T0 + 86_400_000),
        aTicket({ externalId: 'big', createdAt: 9_000_000_000_000_000, messages: [] }),
        aTicket({ externalId: 'huge', createdAt: 1e308, messages: [] }),
      ],
      { origin: 'test' },
    );
    const result = await runAudit({ store, exclusions: loadExclusionRules() });
    expect(result.team.tickets).toBe(4);
    expect(renderHtmlReport(result)).toContain('<html');
    expect(reportMarkdown(result)).toContain('4');
  });
});
