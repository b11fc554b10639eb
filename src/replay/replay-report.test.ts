import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ReplayReport, TicketReplay, WorkflowReplay } from './replay.ts';
import {
  renderReplayHtml,
  renderReplayMarkdown,
  replaySummaryTable,
  writeReplayReports,
} from './replay-report.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-replay-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>';

const example: TicketReplay = {
  ticketId: 1,
  source: 'zendesk',
  externalId: '42',
  subject: HOSTILE,
  category: 'order_status',
  channel: 'email',
  outcome: 'escalated',
  escalation: { code: 'workflow_escalated', reason: 'by design', workflowReason: 'order_not_found' },
  assumptions: [],
  skippedMessages: 2,
  steps: ['check_known', 'ask_number'],
  turns: [{ source: 'first_message', customer: HOSTILE, bot: ['What is your order number?'] }],
  agentReply: `Agent says ${HOSTILE}`,
};

const unknown: TicketReplay = {
  ...example,
  externalId: '43',
  outcome: 'unknown',
  weakAnswer: { title: `Article ${HOSTILE}`, score: 0.64, why: 'low_score' },
  assumptions: ['assumed_yes'],
  skippedMessages: 0,
};

const workflow: WorkflowReplay = {
  workflow: 'order-status',
  version: 1,
  name: 'Order status',
  selection: { by: 'routing' },
  candidates: 12,
  tickets: 10,
  outcomes: { resolved: 7, escalated: 1, stuck: 1, unknown: 1, error: 0 },
  forecast: { rate: 0.7, low: 0.397, high: 0.892, confidence: 0.95 },
  forecastWithoutAssumptions: { rate: 0.2, low: 0.057, high: 0.51, confidence: 0.95 },
  escalationCodes: { workflow_escalated: 1 },
  workflowReasons: { order_not_found: 1 },
  stepCoverage: { check_known: 10, ask_number: 2, say_cancelled: 0 },
  neverReachedSteps: ['say_cancelled'],
  edgeCoverage: [{ from: 'show_status', to: 'say_cancelled', kind: 'case', label: 'cancelled', tickets: 0 }],
  neverReachedEdges: [{ from: 'show_status', to: 'say_cancelled', kind: 'case', label: 'cancelled' }],
  breaks: { stuckAt: { ask_number: 1 }, errors: [], loops: 0, revisited: {} },
  assumptions: {
    filledFromEntities: 1,
    assumedYes: 6,
    uncheckedText: 0,
    resolvedOnEntities: 1,
    resolvedOnAssumedYes: 5,
    resolvedOnUncheckedText: 0,
    resolvedOnAssumptions: 5,
  },
  answers: {
    minScore: 0.7,
    answered: 4,
    weak: 1,
    lowScore: 1,
    otherIntent: 0,
    weakByArticle: { [`Article ${HOSTILE}`]: 1 },
  },
  skippedMessages: { messages: 2, tickets: 1 },
  examples: [example, unknown],
};

const report: ReplayReport = {
  generatedAt: '2026-11-01T00:00:00.000Z',
  seed: 1,
  sample: 100,
  ticketsRead: 50,
  workflows: [workflow],
};

describe('replay reports', () => {
  it('HTML is self-contained and escapes every text from tickets', () => {
    const html = renderReplayHtml(report);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;');
    // No external scripts, styles, fonts or images.
    expect(html).not.toMatch(/<link|src=["']?https?:|url\(|@import/i);
    // The summary: tickets per outcome, then both forecasts.
    expect(html).toContain(
      '<td class="n">10</td><td class="n">7</td><td class="n">1</td><td class="n">1</td><td class="n">1</td><td class="n">0</td><td>20.0% (5.7-51.0%)</td><td>70.0% (39.7-89.2%)</td>',
    );
    expect(html).toContain(
      '20.0% (95% interval 5.7% to 51.0%) without assumptions; 70.0% (95% interval 39.7% to 89.2%) with them.',
    );
    expect(html).toContain('<code>say_cancelled</code>');
    expect(html).toContain('escalated (workflow_escalated: order_not_found)');
    expect(html).toContain('unknown: resolved on an answer below the bar (Article &#60;script&#62;');
    expect(html).toContain('later messages not played: 2');
  });

  it('Markdown escapes ticket text and lists the forecast, breaks and never-reached branches', () => {
    const md = renderReplayMarkdown(report);
    expect(md).not.toContain('<script>');
    expect(md).toContain('\\<script\\>');
    expect(md).toContain(
      '| workflow | tickets | resolved | escalated | stuck | unknown | error | resolved without assumptions (95%) | resolved with assumptions (95%) |',
    );
    expect(md).toContain(
      '| order-status | 10 | 7 | 1 | 1 | 1 | 0 | 20.0% (5.7-51.0%) | 70.0% (39.7-89.2%) |',
    );
    expect(md).toContain('- Stuck (waiting for an answer the history does not have): ask_number 1');
    expect(md).toContain('- Branches never taken: show_status → say_cancelled (cancelled)');
    expect(md).toContain('5 of the 7 resolutions rest on an assumption: a closing "yes"');
    expect(md).toContain('Knowledge-base answers: 4 tickets got one; 1 below the bar (score under 0.7: 1;');
    expect(md).toContain(
      'Later customer messages not played because they answered no question the bot asked: 2 in 1 tickets.',
    );
  });

  it('the console table: both forecasts in padded columns', () => {
    expect(replaySummaryTable(report, 'columns').split('\n')).toEqual([
      'workflow      tickets  resolved  escalated  stuck  unknown  error  without assumptions  with assumptions',
      'order-status       10         7          1      1        1      0  20.0% (5.7-51.0%)    70.0% (39.7-89.2%)',
    ]);
  });

  it('writes the three files; replay.json keeps the contract fields per workflow', () => {
    const files = writeReplayReports({ report, dir: join(dir, 'nested', 'out') });
    const json = JSON.parse(readFileSync(files.json, 'utf8')) as ReplayReport;
    const w = json.workflows[0];
    expect(w).toMatchObject({
      workflow: 'order-status',
      tickets: 10,
      outcomes: { resolved: 7, escalated: 1, stuck: 1, unknown: 1, error: 0 },
      stepCoverage: { check_known: 10, ask_number: 2, say_cancelled: 0 },
    });
    expect(readFileSync(files.markdown, 'utf8')).toContain('# Replay of past tickets');
    expect(readFileSync(files.html, 'utf8')).toMatch(/^<!doctype html>/);
  });
});

describe('replay reports and personal data', () => {
  const personal: TicketReplay = {
    ...example,
    externalId: '44',
    subject: 'Card 4111 1111 1111 1111',
    turns: [
      {
        source: 'first_message',
        customer: 'Refund to 4111 1111 1111 1111 cvv 123, call me on +44 20 7946 0958, ann@example.com',
        bot: ['We will write to ann@example.com.'],
      },
    ],
    agentReply: 'Refunded to the card ending 1111, SSN 123-45-6789 noted.',
  };
  const withPersonal: ReplayReport = { ...report, workflows: [{ ...workflow, examples: [personal] }] };
  const leaks = [/4111 1111 1111 1111/, /cvv 123/, /ann@example\.com/, /7946 0958/, /123-45-6789/];

  it('masks them in replay.md, replay.html and replay.json by default, and keeps them when told', () => {
    const out = mkdtempSync(join(dir, 'personal-'));
    const files = writeReplayReports({ report: withPersonal, dir: out });
    for (const file of [files.markdown, files.html, files.json]) {
      const text = readFileSync(file, 'utf8');
      for (const leak of leaks) expect(text, file).not.toMatch(leak);
      expect(text, file).toMatch(/\\?\[card ending 1111\\?\]/);
    }
    const raw = writeReplayReports({
      report: withPersonal,
      dir: mkdtempSync(join(dir, 'raw-')),
      redact: false,
    });
    expect(readFileSync(raw.json, 'utf8')).toContain('ann@example.com');
  });
});

describe('replay.md escapes every name', () => {
  it('escapes Markdown and HTML in a category name', () => {
    const hostile = '<img src=x onerror=alert(1)> **bold** [x](http://evil.example)';
    const text = renderReplayMarkdown({
      ...report,
      workflows: [{ ...workflow, selection: { by: 'category', category: hostile } }],
    });
    expect(text).not.toMatch(/(?<!\\)<img/);
    expect(text).not.toMatch(/(?<!\\)\]\(http/);
    expect(text).toContain('\\<img src=x onerror=alert(1)\\> \\*\\*bold\\*\\* \\[x\\](http://evil.example)');
  });
});
