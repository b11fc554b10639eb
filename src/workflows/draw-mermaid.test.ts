import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { drawMermaid, mermaidText } from './draw-mermaid.ts';
import { workflowDiagram } from './graph.ts';
import { loadWorkflowFile, parseWorkflow } from './load.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/check/', import.meta.url));
const orderStatus = () => {
  const w = loadWorkflowFile(join(FIXTURES, 'good/order-status.yaml')).workflows[0];
  if (!w) throw new Error('fixture did not load');
  return w.definition;
};

/** A workflow whose texts try to break out of Mermaid labels and inject HTML. */
const hostile = () => {
  const w = parseWorkflow(
    [
      'id: end',
      'version: 1',
      'trigger: { intents: [x] }',
      'steps:',
      '  - id: end',
      '    type: branch',
      `    title: '"]) --> evil["<img src=x onerror=alert(1)>'`,
      '    cases:',
      `      - when: { var: customer.plan, op: eq, value: 'a"b' }`,
      '        goto: say',
      `        label: '|"}<script>alert(1)</script> #quot; & done'`,
      '    else: say',
      '  - id: say',
      '    type: reply',
      `    text: "Hi {{ customer.name }} <b>[x]</b> (y) {z} | \`q\`"`,
      '  - id: bye',
      '    type: resolve',
    ].join('\n'),
    'hostile.yaml',
  ).workflows[0];
  if (!w) throw new Error('hostile workflow did not load');
  return w.definition;
};

describe('drawMermaid', () => {
  it('draws a flowchart with every step, branch label and escalation exit', () => {
    const definition = orderStatus();
    const text = drawMermaid(definition);
    expect(text.split('\n')[1]).toBe('flowchart TD');
    for (const step of definition.steps) expect(text).toContain(`"${step.id}<br/>`);
    for (const label of [
      'number given',
      'known customer',
      'several orders',
      'found',
      'not found twice',
      'else',
    ]) {
      expect(text).toContain(`|"${label}"|`);
    }
    for (const exit of ['connector_failed', 'slot_retries_exhausted', 'not_resolved']) {
      expect(text).toContain(`"escalate<br/>${exit}"`);
    }
    expect(text).toContain('((("resolve")))');
    // One line per edge, automatic exits dotted.
    const edges = text.split('\n').filter((l) => /^ {2}n\d+ -/.test(l));
    expect(edges).toHaveLength(workflowDiagram(definition).edges.length);
    expect(edges.filter((l) => l.includes('-.->'))).toHaveLength(7);
    // The guardrail note, once.
    expect(text.match(/Any customer turn can escalate/g)).toHaveLength(1);
  });

  it('gives each step type its shape and the terminals their colours', () => {
    const text = drawMermaid(orderStatus());
    expect(text).toMatch(/n\d+\{"route<br\/>branch"\}/);
    expect(text).toMatch(/n\d+\[\["list_orders<br\/>call demo-shop\.listOrders"\]\]/);
    expect(text).toMatch(/n\d+\[\/"ask_order<br\/>ask order_number"\/\]/);
    expect(text).toMatch(/n\d+\(\["did_it_help<br\/>confirm/);
    expect(text).toMatch(/n\d+\{\{"give_up<br\/>escalate order_not_found \(orders\)"\}\}/);
    expect(text).toContain('classDef wf_resolve fill:');
    expect(text).toContain('classDef wf_escalate fill:');
    expect(text).toMatch(/class n\d+ wf_escalate\n/);
  });

  it('escapes quotes, brackets and HTML in every label and uses generated node ids', () => {
    const text = drawMermaid(hostile());
    expect(text).not.toContain('<img');
    expect(text).not.toContain('<script');
    expect(text).not.toContain('<b>');
    // `end` is a Mermaid keyword: the node ids are generated.
    expect(text).not.toMatch(/^ {2}end\b/m);
    for (const line of text.split('\n')) {
      const label = /"(.*)"/.exec(line)?.[1];
      if (label === undefined) continue;
      // Only named entities: no quote, markup, backtick or Mermaid entity code (`#34;`) is left.
      expect(label.replace(/<br\/>/g, '')).not.toMatch(
        /["<>`]|#\w+;|&(?!(quot|lt|gt|amp|num|grave|percnt);)/,
      );
    }
    expect(text).toContain('|"|&quot;}&lt;script&gt;alert(1)&lt;/script&gt; &num;quot; &amp; done"|');
  });

  it('leaves out an edge to a step that does not exist', () => {
    const w = parseWorkflow(
      'id: w\nversion: 1\ntrigger: { intents: [x] }\nsteps:\n  - { id: a, type: goto, target: nowhere }\n',
      'w.yaml',
    ).workflows[0];
    expect(w && drawMermaid(w.definition)).not.toContain('-->');
  });

  it('turns control characters into spaces', () => {
    expect(mermaidText('a\u0000b\nc')).toBe('a b c');
  });
});
