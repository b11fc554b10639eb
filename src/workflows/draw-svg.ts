import { Graph, layout } from '@dagrejs/dagre';
import type { WorkflowDefinition } from './definition.ts';
import { type DiagramNode, type DiagramNodeKind, workflowDiagram } from './graph.ts';

const FONT_SIZE = 12;
/** An average character width of the sans-serif font at FONT_SIZE: text is measured without a browser. */
const CHAR_WIDTH = 6.8;
const LINE_HEIGHT = 16;
const PAD_X = 14;
const PAD_Y = 10;

interface Style {
  fill: string;
  stroke: string;
  dashed?: boolean;
  bold?: boolean;
}

const STYLES: Record<DiagramNodeKind, Style> = {
  ask: { fill: '#e8f1fb', stroke: '#3b78c2' },
  confirm: { fill: '#e8f1fb', stroke: '#3b78c2' },
  call: { fill: '#eef7ee', stroke: '#3a8a3a' },
  branch: { fill: '#fff6db', stroke: '#b08900' },
  reply: { fill: '#ffffff', stroke: '#555555' },
  answer: { fill: '#f3ecfa', stroke: '#7b4fb0' },
  goto: { fill: '#ffffff', stroke: '#555555' },
  resolve: { fill: '#d9f2d9', stroke: '#2e7d32', bold: true },
  escalate: { fill: '#fde2e1', stroke: '#c62828', bold: true },
  auto_escalate: { fill: '#fde2e1', stroke: '#c62828', dashed: true },
  auto_resolve: { fill: '#d9f2d9', stroke: '#2e7d32', dashed: true },
  note: { fill: '#fffbe6', stroke: '#999999', dashed: true },
};

interface Box {
  node: DiagramNode;
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * A workflow as a standalone SVG: laid out by dagre (pure JavaScript, no browser), shapes and arrows drawn
 * here. Shapes follow the Mermaid diagram: ask a parallelogram, confirm a stadium, branch a diamond, call a
 * box with side bars, resolve and escalate coloured terminals, automatic exits dashed. All text is
 * XML-escaped.
 *
 * @example
 * writeFileSync('order-status.svg', drawSvg(definition));
 */
export function drawSvg(definition: WorkflowDefinition): string {
  const diagram = workflowDiagram(definition);
  const g = new Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: 56, edgesep: 16, marginx: 24, marginy: 24 });
  g.setDefaultEdgeLabel(() => ({}));
  // The note stands above the flow, outside the layout, so no edge is routed through it.
  const note = diagram.nodes.find((n) => n.kind === 'note');
  const steps = diagram.nodes.filter((n) => n.kind !== 'note');
  for (const node of steps) {
    const text = textSize(node.lines);
    // A diamond needs about twice the box of its text; slanted and rounded shapes need room at the sides.
    const grow = node.kind === 'branch' ? 1.5 : 1;
    const side = node.kind === 'ask' || node.kind === 'confirm' || node.kind === 'resolve' ? 24 : 0;
    g.setNode(node.id, {
      width: Math.ceil(text.width * grow + 2 * PAD_X + side),
      height: Math.ceil(text.height * (node.kind === 'branch' ? 3 : 1) + 2 * PAD_Y),
    });
  }
  diagram.edges.forEach((edge, i) => {
    const size = edge.label ? textSize([edge.label]) : { width: 0, height: 0 };
    g.setEdge(
      edge.from,
      edge.to,
      { width: size.width + 8, height: edge.label ? size.height + 4 : 0, labelpos: 'c' },
      `e${i}`,
    );
  });
  layout(g);

  const MARGIN = 24;
  const noteSize = note ? textSize(note.lines) : { width: 0, height: 0 };
  const noteBox = note
    ? {
        node: note,
        width: noteSize.width + 2 * PAD_X,
        height: noteSize.height + 2 * PAD_Y,
        x: MARGIN + (noteSize.width + 2 * PAD_X) / 2,
        y: MARGIN + (noteSize.height + 2 * PAD_Y) / 2,
      }
    : undefined;
  const shiftY = noteBox ? noteBox.height + MARGIN : 0;
  const boxes = new Map<string, Box>();
  for (const node of steps) {
    const laid = g.node(node.id) as { x: number; y: number; width: number; height: number };
    boxes.set(node.id, { node, x: laid.x, y: laid.y + shiftY, width: laid.width, height: laid.height });
  }
  const size = g.graph() as { width?: number; height?: number };
  const width = Math.ceil(Math.max(size.width ?? 0, noteBox ? noteBox.width + 2 * MARGIN : 0));
  const height = Math.ceil((size.height ?? 0) + shiftY);

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="${FONT_SIZE}">`,
    `<title>${xmlText(`${definition.id} v${definition.version}${definition.name ? `: ${definition.name}` : ''}`)}</title>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555555"/></marker></defs>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  diagram.edges.forEach((edge, i) => {
    const laid = g.edge({ v: edge.from, w: edge.to, name: `e${i}` }) as {
      points?: Array<{ x: number; y: number }>;
      x?: number;
      y?: number;
    };
    const shifted = (laid.points ?? []).map((p) => ({ x: p.x, y: p.y + shiftY }));
    const points = clipEnds(shifted, boxes.get(edge.from), boxes.get(edge.to));
    if (points.length < 2) return;
    const d = points.map((p, j) => `${j === 0 ? 'M' : 'L'}${num(p.x)},${num(p.y)}`).join(' ');
    const dash = edge.automatic ? ' stroke-dasharray="5 4"' : '';
    out.push(
      `<path class="edge" d="${d}" fill="none" stroke="#555555" stroke-width="1.3"${dash} marker-end="url(#arrow)"/>`,
    );
    if (edge.label && laid.x !== undefined && laid.y !== undefined) {
      const box = textSize([edge.label]);
      const at = { x: laid.x, y: laid.y + shiftY };
      out.push(
        `<rect x="${num(at.x - box.width / 2 - 3)}" y="${num(at.y - box.height / 2 - 1)}" width="${num(box.width + 6)}" height="${num(box.height + 2)}" fill="#ffffff" fill-opacity="0.9"/>`,
        `<text class="edge-label" x="${num(at.x)}" y="${num(at.y + FONT_SIZE / 3)}" text-anchor="middle" fill="#333333">${xmlText(edge.label)}</text>`,
      );
    }
  });
  for (const box of boxes.values()) out.push(...drawNode(box, box.node.id === diagram.start));
  if (noteBox) out.push(...drawNode(noteBox, false));
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function drawNode(box: Box, isStart: boolean): string[] {
  const style = STYLES[box.node.kind];
  const attrs = `fill="${style.fill}" stroke="${style.stroke}" stroke-width="${style.bold || isStart ? 2.2 : 1.3}"${style.dashed ? ' stroke-dasharray="4 3"' : ''}`;
  const left = box.x - box.width / 2;
  const top = box.y - box.height / 2;
  const right = left + box.width;
  const bottom = top + box.height;
  const polygon = (pts: Array<[number, number]>) =>
    `<polygon points="${pts.map(([x, y]) => `${num(x)},${num(y)}`).join(' ')}" ${attrs}/>`;
  const rect = (rx: number) =>
    `<rect x="${num(left)}" y="${num(top)}" width="${num(box.width)}" height="${num(box.height)}" rx="${rx}" ${attrs}/>`;
  const shapes: string[] = [];
  switch (box.node.kind) {
    case 'branch':
      shapes.push(
        polygon([
          [box.x, top],
          [right, box.y],
          [box.x, bottom],
          [left, box.y],
        ]),
      );
      break;
    case 'ask': {
      const slant = 12;
      shapes.push(
        polygon([
          [left + slant, top],
          [right, top],
          [right - slant, bottom],
          [left, bottom],
        ]),
      );
      break;
    }
    case 'confirm':
    case 'resolve':
    case 'auto_resolve':
      shapes.push(rect(box.height / 2));
      break;
    case 'escalate':
    case 'auto_escalate': {
      const cut = Math.min(14, box.height / 2);
      shapes.push(
        polygon([
          [left + cut, top],
          [right - cut, top],
          [right, box.y],
          [right - cut, bottom],
          [left + cut, bottom],
          [left, box.y],
        ]),
      );
      break;
    }
    case 'call':
      shapes.push(
        rect(0),
        `<line x1="${num(left + 7)}" y1="${num(top)}" x2="${num(left + 7)}" y2="${num(bottom)}" stroke="${style.stroke}"/>`,
        `<line x1="${num(right - 7)}" y1="${num(top)}" x2="${num(right - 7)}" y2="${num(bottom)}" stroke="${style.stroke}"/>`,
      );
      break;
    case 'answer':
    case 'goto':
      shapes.push(rect(10));
      break;
    case 'reply':
    case 'note':
      shapes.push(rect(3));
      break;
  }
  const lines = box.node.lines;
  const firstY = box.y - ((lines.length - 1) * LINE_HEIGHT) / 2 + FONT_SIZE / 3;
  const text = lines.map((line, i) => {
    const weight = i === 0 && box.node.kind !== 'note' ? ' font-weight="bold"' : '';
    return `<tspan x="${num(box.x)}" y="${num(firstY + i * LINE_HEIGHT)}"${weight}>${xmlText(line)}</tspan>`;
  });
  const id = xmlText(box.node.id);
  return [
    `<g class="node ${box.node.kind}" data-id="${id}">`,
    ...shapes,
    `<text text-anchor="middle" fill="#222222">${text.join('')}</text>`,
    '</g>',
  ];
}

function textSize(lines: readonly string[]): { width: number; height: number } {
  const longest = Math.max(0, ...lines.map((l) => [...l].length));
  return { width: longest * CHAR_WIDTH, height: lines.length * LINE_HEIGHT };
}

type Point = { x: number; y: number };

/**
 * dagre ends edges on a node's bounding box; a diamond's corners are empty, so its ends are moved onto the
 * diamond's outline along the same line.
 */
function clipEnds(points: Point[], from: Box | undefined, to: Box | undefined): Point[] {
  if (points.length < 2) return points;
  const out = [...points];
  if (from?.node.kind === 'branch') out[0] = ontoDiamond(from, out[1] as Point);
  if (to?.node.kind === 'branch') out[out.length - 1] = ontoDiamond(to, out[out.length - 2] as Point);
  return out;
}

function ontoDiamond(box: Box, toward: Point): Point {
  const dx = toward.x - box.x;
  const dy = toward.y - box.y;
  const scale = Math.abs(dx) / (box.width / 2) + Math.abs(dy) / (box.height / 2);
  if (scale === 0) return { x: box.x, y: box.y };
  return { x: box.x + dx / scale, y: box.y + dy / scale };
}

function num(n: number): string {
  return Number.isFinite(n) ? String(Math.round(n * 10) / 10) : '0';
}

/**
 * Text made safe as XML character data or a quoted attribute: markup characters become entities, and
 * characters XML 1.0 does not allow (control characters, lone surrogates) are dropped.
 */
export function xmlText(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (!allowedInXml(cp)) continue;
    out += XML_ENTITIES[ch] ?? ch;
  }
  return out;
}

/** The characters XML 1.0 allows (a lone surrogate comes out of `for...of` as one char in D800-DFFF). */
function allowedInXml(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    cp >= 0x10000
  );
}

const XML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};
