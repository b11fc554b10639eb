import { z } from 'zod';
import { quantile, sortedNumbers } from '../shared/stats.ts';
import type { StoredTicket } from '../store/index.ts';

/** How many responders the report lists (the busiest first); the rest are counted, not listed. */
export const RESPONDERS_LISTED = 25;

const spread = z.object({ median: z.number().nullable(), p90: z.number().nullable() });

/** The baseline of one responder: who answered the tickets (an agent, a team, or a company in TWCS). */
export const ResponderResultSchema = z.object({
  responder: z.string(),
  tickets: z.number().int(),
  share: z.number(),
  /** Tickets with a first response (the rest were never answered, or not in the rule of the export). */
  answered: z.number().int(),
  firstResponseSeconds: spread,
  resolutionSeconds: spread,
  csat: z.object({ mean: z.number().nullable(), count: z.number().int() }),
});
export type ResponderResult = z.infer<typeof ResponderResultSchema>;

export const RespondersSchema = z.object({
  /** Distinct responders seen (the list holds at most RESPONDERS_LISTED of them). */
  total: z.number().int(),
  /** Tickets that name no responder (no assignee and no group): unanswered threads, for instance. */
  withoutResponder: z.number().int(),
  list: z.array(ResponderResultSchema),
});
export type Responders = z.infer<typeof RespondersSchema>;

/**
 * Who answered a ticket: its assignee, else its group. Importers put the answering side there: the agent
 * in helpdesk exports, and in TWCS the company's handle (AppleSupport, AmazonHelp) in both.
 */
export function responderOf(ticket: Pick<StoredTicket, 'assignee' | 'group'>): string | null {
  return ticket.assignee?.trim() || ticket.group?.trim() || null;
}

interface Figures {
  tickets: number;
  firstResponse: number[];
  resolution: number[];
  csatSum: number;
  csatCount: number;
}

/** Running per-responder figures; durations are kept per ticket so quantiles are exact, like the categories'. */
export class ResponderAccumulator {
  private readonly byName = new Map<string, Figures>();
  private without = 0;

  add(
    ticket: Pick<
      StoredTicket,
      'assignee' | 'group' | 'firstResponseSeconds' | 'resolutionSeconds' | 'csatScore'
    >,
  ): void {
    const name = responderOf(ticket);
    if (name === null) {
      this.without++;
      return;
    }
    let f = this.byName.get(name);
    if (!f) {
      f = { tickets: 0, firstResponse: [], resolution: [], csatSum: 0, csatCount: 0 };
      this.byName.set(name, f);
    }
    f.tickets++;
    if (ticket.firstResponseSeconds !== null) f.firstResponse.push(ticket.firstResponseSeconds);
    if (ticket.resolutionSeconds !== null) f.resolution.push(ticket.resolutionSeconds);
    if (ticket.csatScore !== null) {
      f.csatSum += ticket.csatScore;
      f.csatCount++;
    }
  }

  /** The busiest responders first (ties by name), at most `limit`; shares are of `totalTickets`. */
  result(totalTickets: number, limit = RESPONDERS_LISTED): Responders {
    const spreadOf = (values: number[]) => {
      const sorted = sortedNumbers(values);
      return { median: quantile(sorted, 0.5), p90: quantile(sorted, 0.9) };
    };
    const list = [...this.byName.entries()]
      .sort(([a, fa], [b, fb]) => fb.tickets - fa.tickets || a.localeCompare(b))
      .slice(0, limit)
      .map(([responder, f]) => ({
        responder,
        tickets: f.tickets,
        share: totalTickets ? f.tickets / totalTickets : 0,
        answered: f.firstResponse.length,
        firstResponseSeconds: spreadOf(f.firstResponse),
        resolutionSeconds: spreadOf(f.resolution),
        csat: { mean: f.csatCount ? f.csatSum / f.csatCount : null, count: f.csatCount },
      }));
    return { total: this.byName.size, withoutResponder: this.without, list };
  }
}
