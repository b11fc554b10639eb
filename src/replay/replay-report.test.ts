import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ReplayReport, TicketReplay, WorkflowReplay } from './replay.ts';
import { renderReplayHtml, renderReplayMarkdown, writeReplayReports } from './replay-report.ts';

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
  steps: ['check_known', 'ask_number'],
  turns: [{ source: 'first_message', customer: HOSTILE, bot: ['What is your order number?'] }],
  agentReply: `Agent says ${HOSTILE}`,
};

const workflow: WorkflowReplay = {
  workflow: 'order-status',
  version: 1,
  name: 'Order status',
  selection: { by: 'routing' },
  candidates: 12,
  tickets: 10,
  outcomes: { resolved: 8, escalated: 1, stuck: 1, error: 0 },
  forecast: { rate: 0.8, low: 0.49, high: 0.943, confidence: 0.95 },
  escalationCodes: { workflow_escalated: 1 },
  workflowReasons: { order_not_found: 1 },
  stepCoverage: { check_known: 10, ask_number: 2, say_cancelled: 0 },
  neverReachedSteps: ['say_cancelled'],
  edgeCoverage: [{ from: 'show_status', to: 'say_cancelled', kind: 'case', label: 'cancelled', tickets: 0 }],
  neverReachedEdges: [{ from: 'show_status', to: 'say_cancelled', kind: 'case', label: 'cancelled' }],
  breaks: { stuckAt: { ask_number: 1 }, errors: [], loops: 0, revisited: {} },
  assumptions: { filledFromEntities: 1, assumedYes: 6, resolvedOnAssumedYes: 6 },
  examples: [example],
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
    expect(html).toContain('80.0% (95% interval 49.0% to 94.3%)');
    expect(html).toContain('<code>say_cancelled</code>');
    expect(html).toContain('escalated (workflow_escalated: order_not_found)');
  });

  it('Markdown escapes ticket text and lists the forecast, breaks and never-reached branches', () => {
    const md = renderReplayMarkdown(report);
    expect(md).not.toContain('<script>');
    expect(md).toContain('\\<script\\>');
    expect(md).toContain(
      '| order-status | 10 | 80.0% | 10.0% | 10.0% | 0.0% | 80.0% (95% interval 49.0% to 94.3%) |',
    );
    expect(md).toContain('- Stuck (waiting for an answer the history does not have): ask_number 1');
    expect(md).toContain('- Branches never taken: show_status → say_cancelled (cancelled)');
    expect(md).toContain('Of the resolutions, 6 rest on a closing "yes"');
  });

  it('writes the three files; replay.json keeps the contract fields per workflow', () => {
    const files = writeReplayReports({ report, dir: join(dir, 'nested', 'out') });
    const json = JSON.parse(readFileSync(files.json, 'utf8')) as ReplayReport;
    const w = json.workflows[0];
    expect(w).toMatchObject({
      workflow: 'order-status',
      tickets: 10,
      outcomes: { resolved: 8, escalated: 1, stuck: 1, error: 0 },
      stepCoverage: { check_known: 10, ask_number: 2, say_cancelled: 0 },
    });
    expect(readFileSync(files.markdown, 'utf8')).toContain('# Replay of past tickets');
    expect(readFileSync(files.html, 'utf8')).toMatch(/^<!doctype html>/);
  });
});
