import type { WorkflowDefinition } from './definition.ts';
import { type DiagramNode, type DiagramNodeKind, workflowDiagram } from './graph.ts';

/** Mermaid node shapes, `[open, close]`, per kind of node. */
const SHAPES: Record<DiagramNodeKind, [string, string]> = {
  ask: ['[/', '/]'],
  confirm: ['([', '])'],
  branch: ['{', '}'],
  call: ['[[', ']]'],
  reply: ['[', ']'],
  answer: ['[(', ')]'],
  goto: ['(', ')'],
  resolve: ['(((', ')))'],
  escalate: ['{{', '}}'],
  auto_escalate: ['{{', '}}'],
  auto_resolve: ['(((', ')))'],
  note: ['[', ']'],
};

/** Class names carry a prefix: `call`, `end` and others are Mermaid keywords. */
const CLASS_DEFS = [
  'classDef wf_ask fill:#e8f1fb,stroke:#3b78c2',
  'classDef wf_confirm fill:#e8f1fb,stroke:#3b78c2',
  'classDef wf_call fill:#eef7ee,stroke:#3a8a3a',
  'classDef wf_branch fill:#fff6db,stroke:#b08900',
  'classDef wf_answer fill:#f3ecfa,stroke:#7b4fb0',
  'classDef wf_resolve fill:#d9f2d9,stroke:#2e7d32,stroke-width:2px',
  'classDef wf_escalate fill:#fde2e1,stroke:#c62828,stroke-width:2px',
  'classDef wf_auto_escalate fill:#fde2e1,stroke:#c62828,stroke-dasharray:4 3',
  'classDef wf_auto_resolve fill:#d9f2d9,stroke:#2e7d32,stroke-dasharray:4 3',
  'classDef wf_note fill:#fffbe6,stroke:#999999,stroke-dasharray:2 2',
];

/**
 * A workflow as a Mermaid `flowchart TD`: one node per step (shape by type), the automatic escalation exits,
 * every edge with its label, and the guardrail note. Every label is escaped, so any text is safe to paste
 * into a page that renders Mermaid.
 *
 * @example
 * const text = drawMermaid(definition); // 'flowchart TD\n  n0[/"ask_order<br/>ask order_number"/]\n ...'
 */
export function drawMermaid(definition: WorkflowDefinition): string {
  const diagram = workflowDiagram(definition);
  // Generated ids: step ids may be Mermaid keywords (`end`) or contain `-`, which Mermaid reads as an arrow.
  const ids = new Map(diagram.nodes.map((n, i) => [n.id, `n${i}`]));
  const out = [`%% ${mermaidText(definition.id)} v${definition.version}`, 'flowchart TD'];
  for (const node of diagram.nodes) out.push(`  ${ids.get(node.id)}${shape(node)}`);
  for (const edge of diagram.edges) {
    const arrow = edge.automatic ? '-.->' : '-->';
    const label = edge.label ? `|"${mermaidText(edge.label)}"|` : '';
    out.push(`  ${ids.get(edge.from)} ${arrow}${label} ${ids.get(edge.to)}`);
  }
  out.push(...CLASS_DEFS.map((c) => `  ${c}`));
  const byKind = new Map<string, string[]>();
  for (const node of diagram.nodes) {
    byKind.set(node.kind, [...(byKind.get(node.kind) ?? []), ids.get(node.id) as string]);
  }
  for (const [kind, members] of byKind) {
    if (CLASS_DEFS.some((c) => c.startsWith(`classDef wf_${kind} `))) {
      out.push(`  class ${members.join(',')} wf_${kind}`);
    }
  }
  return `${out.join('\n')}\n`;
}

function shape(node: DiagramNode): string {
  const [open, close] = SHAPES[node.kind];
  return `${open}"${node.lines.map(mermaidText).join('<br/>')}"${close}`;
}

/**
 * Text made safe inside a quoted Mermaid label: the quote, HTML's markup characters, Mermaid's own entity
 * sign `#`, the backtick of Markdown labels and `%` of comments become named HTML entities, which Mermaid
 * shows as the characters themselves (its numeric `#34;` codes are not decoded by every version); control
 * characters become spaces.
 */
export function mermaidText(text: string): string {
  return text.replace(/\p{Cc}/gu, ' ').replace(/["<>&#`%]/g, (c) => MERMAID_ENTITIES[c] as string);
}

const MERMAID_ENTITIES: Record<string, string> = {
  '"': '&quot;',
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  '#': '&num;',
  '`': '&grave;',
  '%': '&percnt;',
};
