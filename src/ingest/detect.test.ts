import { describe, expect, it } from 'vitest';
import { UserError } from '../shared/index.ts';
import { chooseImporter } from './detect.ts';
import { importers } from './formats/index.ts';

/** The format chosen for a head, or the error's code and message. */
function choose(head: string, format?: string): string | { code: string; message: string } {
  try {
    return chooseImporter(importers, head, 'input', format).format;
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { code: error.code, message: error.message };
  }
}

describe('chooseImporter', () => {
  it('detects a plain ticket CSV as generic CSV', () => {
    expect(choose('ticket_id,created_at,subject,status,priority\n1,2024-01-01 10:00:00,Hi,Open,High\n')).toBe(
      'generic-csv',
    );
    expect(choose('ticket_id,created_at,status,resolution_hours\n1,2024-01-01 10:00:00,Open,5\n')).toBe(
      'generic-csv',
    );
  });

  it('names the likeliest formats and the columns it saw when it cannot tell, not every format', () => {
    const result = choose('case,opened,what,who\n1,2024-01-01,Login,Ann\n');
    expect(result).toMatchObject({ code: 'import.undetected_format' });
    const { message } = result as { message: string };
    expect(message).toContain('columns: case, opened, what, who');
    expect(message).toMatch(/likeliest: generic-csv/);
    expect(message).not.toContain('intercom');
    expect(message).not.toContain('helpscout');
    expect(message).toContain('--format');
  });

  it('names the keys of the first record of a JSON file it cannot place', () => {
    const result = choose('[{"ref": "A1", "opened": "2024-01-01", "what": "Login"}]');
    expect(result).toMatchObject({ code: 'import.undetected_format' });
    expect((result as { message: string }).message).toContain('keys: ref, opened, what');
    expect((result as { message: string }).message).toMatch(/likeliest: generic-json/);
  });

  it('recognises a Zendesk comments page and refuses it, saying how to import comments with their tickets', () => {
    const page = JSON.stringify({
      comments: [{ id: 11, type: 'Comment', body: 'My order is late', author_id: 100, public: true }],
      next_page: null,
      count: 1,
    });
    const result = choose(page);
    expect(result).toMatchObject({ code: 'import.not_tickets' });
    const { message } = result as { message: string };
    expect(message).toContain('comments');
    expect(message).toMatch(/with their tickets/);
  });

  it('refuses the incremental ticket events export, saying what it holds instead of tickets', () => {
    const page = JSON.stringify({
      ticket_events: [{ id: 1, ticket_id: 5, timestamp: 1700000000, event_type: 'Audit', child_events: [] }],
      end_of_stream: true,
    });
    const result = choose(page);
    expect(result).toMatchObject({ code: 'import.not_tickets' });
    expect((result as { message: string }).message).toMatch(/ticket_events.*not the tickets/);
  });
});
