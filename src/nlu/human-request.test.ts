import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectHumanRequest, withinOneEdit } from './human-request.ts';

interface Row {
  text: string;
  requested: boolean;
}
const rows: Row[] = readFileSync(new URL('./fixtures/human-request.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as Row);

/** Each text, read alone, is (or is not) a request for a person; a failure names the text. */
function expectRequested(texts: string[], requested: boolean): void {
  for (const text of texts) expect(detectHumanRequest(text).requested, text).toBe(requested);
}

describe('detectHumanRequest', () => {
  it('finds many phrasings of a request for a person', () => {
    expectRequested(
      [
        'talk to a human',
        'agent please',
        'REPRESENTATIVE',
        'Is there a real person I can talk to?',
        'connect me with a live person',
      ],
      true,
    );
  });

  it('tells negations and mere mentions apart', () => {
    expect(detectHumanRequest('No need for an agent, I found it.')).toMatchObject({
      requested: false,
      negated: true,
    });
    expect(detectHumanRequest("I don't want to speak to anyone, just cancel it").requested).toBe(false);
    expect(detectHumanRequest('The agent I spoke to yesterday was rude.').requested).toBe(false);
    expect(detectHumanRequest('My travel agent booked the wrong date.').requested).toBe(false);
    expect(detectHumanRequest("I don't want the bot, I want an agent.").requested).toBe(true);
  });

  it('finds callbacks, preferences, bare role names and common misspellings', () => {
    expectRequested(
      [
        'Please have a support person call me back.',
        "I'd like to be called back by an agent.",
        'Someone from your support team should contact me.',
        'I prefer speaking with a live representative.',
        'Please pass me to one of your colleagues.',
        'customer service representative',
        'Operator, pick up please',
        'i need to speek to a persn',
        'Can I speak to a huamn?',
      ],
      true,
    );
  });

  it("does not take the customer's own people, or callbacks that happened, for a request", () => {
    expectRequested(
      [
        'My manager has to check the invoice first.',
        'Can I transfer the subscription to a colleague?',
        'I was called by an agent yesterday about the refund.',
        'A person from your team called me back already, all sorted.',
        'I managed to log in, thanks.',
        "Please don't have anyone call me, I'm at work.",
      ],
      false,
    );
  });

  it('tells one edit (a swap of neighbours included) from two', () => {
    expect(withinOneEdit('huamn', 'human')).toBe(true);
    expect(withinOneEdit('speek', 'speak')).toBe(true);
    expect(withinOneEdit('persn', 'person')).toBe(true);
    expect(withinOneEdit('agentt', 'agent')).toBe(true);
    expect(withinOneEdit('urgent', 'agent')).toBe(false);
    expect(withinOneEdit('prison', 'person')).toBe(false);
  });

  it(`reaches precision and recall >= 0.95 on the fixture set (${rows.length} messages)`, () => {
    expect(rows.length).toBeGreaterThanOrEqual(150);
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const row of rows) {
      const found = detectHumanRequest(row.text).requested;
      if (found && row.requested) tp++;
      else if (found) fp++;
      else if (row.requested) fn++;
    }
    const precision = tp / (tp + fp);
    const recall = tp / (tp + fn);
    console.log(
      `human-request fixture: precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)} on ${rows.length}`,
    );
    expect(precision).toBeGreaterThanOrEqual(0.95);
    expect(recall).toBeGreaterThanOrEqual(0.95);
  });
});
