import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { drawSvg, xmlText } from './draw-svg.ts';
import { workflowDiagram } from './graph.ts';
import { loadWorkflowFile, parseWorkflow } from './load.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/check/', import.meta.url));

/**
 * A small strict check of XML well-formedness: tags balance under one root, attribute values are quoted,
 * and text holds no `<`, `>` or bare `&`.
 */
function assertWellFormed(xml: string): void {
  const tokens = xml.match(/<[^<>]*>|[^<>]+/g) ?? [];
  expect(tokens.join('')).toBe(xml);
  const bareAmp = /&(?!(?:amp|lt|gt|quot|apos|#\d+);)/;
  const stack: string[] = [];
  let roots = 0;
  for (const token of tokens) {
    if (!token.startsWith('<')) {
      expect(token).not.toMatch(bareAmp);
      if (stack.length === 0) expect(token.trim()).toBe('');
      continue;
    }
    const tag = /^<(\/?)([A-Za-z][\w.:-]*)((?:\s+[\w:-]+="[^"<>]*")*)\s*(\/?)>$/.exec(token);
    expect(tag, `malformed tag ${token}`).not.toBeNull();
    const [, closing, name, attrs, selfClosing] = tag as unknown as string[];
    expect(attrs).not.toMatch(bareAmp);
    if (closing) expect(stack.pop()).toBe(name);
    else if (!selfClosing) {
      if (stack.length === 0) roots++;
      stack.push(name as string);
    } else if (stack.length === 0) roots++;
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
}

/** The text content of the SVG, entities decoded: what a viewer shows. */
const shownText = (svg: string) =>
  [...svg.matchAll(/>([^<]+)</g)]
    .map((m) => m[1] as string)
    .join('\n')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

describe('drawSvg', () => {
  it('draws every step, every edge label and every escalation exit as well-formed SVG', () => {
    const w = loadWorkflowFile(join(FIXTURES, 'good/order-status.yaml')).workflows[0];
    if (!w) throw new Error('fixture did not load');
    const svg = drawSvg(w.definition);
    assertWellFormed(svg.trim());
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const text = shownText(svg);
    const diagram = workflowDiagram(w.definition);
    for (const step of w.definition.steps) expect(svg).toContain(`data-id="${step.id}"`);
    for (const edge of diagram.edges.filter((e) => e.label)) expect(text).toContain(edge.label);
    for (const exit of ['connector_failed', 'slot_retries_exhausted', 'not_resolved'])
      expect(text).toContain(exit);
    expect(text.match(/Any customer turn can escalate/g)).toHaveLength(1);
    // One path per edge, each with an arrowhead; automatic exits dashed.
    const paths = svg.match(/<path class="edge"[^>]*>/g) ?? [];
    expect(paths).toHaveLength(diagram.edges.length);
    expect(paths.every((p) => p.includes('marker-end="url(#arrow)"'))).toBe(true);
    expect(paths.filter((p) => p.includes('stroke-dasharray'))).toHaveLength(7);
    // A diamond for branches, a coloured terminal for escalate.
    expect(svg).toMatch(/<g class="node branch" data-id="route">\n<polygon points="[\d., ]+"/);
    expect(svg).toMatch(/<g class="node escalate" data-id="give_up">\n<polygon [^>]*fill="#fde2e1"/);
  });

  it('escapes every text, so nothing in a workflow file can add markup', () => {
    const w = parseWorkflow(
      [
        'id: hostile',
        'version: 1',
        `name: '</title><script>alert(1)</script>'`,
        'trigger: { intents: [x] }',
        'steps:',
        '  - id: say',
        '    type: reply',
        `    title: "<img src=x onerror='alert(1)'> & \\u0001 \\uD800"`,
        `    text: '"><foreignObject>x</foreignObject>'`,
        '  - id: pick',
        '    type: branch',
        `    cases: [{ when: { var: customer.plan, op: eq, value: '<b>' }, goto: done }]`,
        '    else: done',
        '  - id: done',
        '    type: resolve',
      ].join('\n'),
      'hostile.yaml',
    ).workflows[0];
    if (!w) throw new Error('hostile workflow did not load');
    const svg = drawSvg(w.definition);
    assertWellFormed(svg.trim());
    expect(svg).not.toMatch(/<(script|img|foreignObject|b)\b/);
    const text = shownText(svg);
    expect(text).toContain('</title><script>alert(1)</script>');
    expect(text).toContain(`<img src=x onerror='alert(1)'> &  `);
    expect(text).toContain('customer.plan = "<b>"');
  });

  it('drops characters XML does not allow', () => {
    expect(xmlText('a\u0000b\u0008c\td\uD800e😀<')).toBe('abc\tde😀&lt;');
  });
});
