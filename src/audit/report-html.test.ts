import { describe, expect, it } from 'vitest';
import { type Box, placeLabels } from './report-html.ts';
import { activeMonths } from './run-audit.ts';

const overlaps = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

describe('scatter labels', () => {
  it('places labels of nearby points without overlap, inside the chart, and leaves out what cannot fit', () => {
    const points = Array.from({ length: 30 }, (_, i) => ({
      x: 200 + (i % 5) * 6,
      y: 150 + Math.floor(i / 5) * 5,
      label: `category number ${i}`,
    }));
    const placed = placeLabels(points, { width: 520, height: 330 });
    const boxes = placed.flatMap((l, i) => {
      if (!l) return [];
      const w = points[i]!.label.length * 6.2;
      const x0 = l.anchor === 'start' ? l.x : l.x - w;
      return [{ x0, x1: x0 + w, y0: l.y - 10, y1: l.y + 2 }];
    });
    expect(placed.slice(0, 3).every((l) => l !== null)).toBe(true);
    expect(boxes.length).toBeGreaterThan(8);
    expect(placed.some((l) => l === null)).toBe(true);
    for (const [i, a] of boxes.entries()) {
      expect(a.x0).toBeGreaterThanOrEqual(0);
      expect(a.x1).toBeLessThanOrEqual(520);
      for (const b of boxes.slice(i + 1)) expect(overlaps(a, b)).toBe(false);
    }
  });

  it('puts a label left of a point near the right edge', () => {
    const [label] = placeLabels([{ x: 510, y: 100, label: 'password_reset' }], { width: 520, height: 330 });
    expect(label).toMatchObject({ anchor: 'end', leader: false });
  });
});

describe('activeMonths', () => {
  const DAY = (iso: string) => Math.floor(Date.parse(iso) / 86_400_000);
  it('spans the days holding the central 99% of tickets, at least one month', () => {
    const perDay = new Map<number, number>();
    for (let d = 0; d < 61; d++) perDay.set(DAY('2017-09-01') + d, 10);
    expect(activeMonths(perDay)).toBeCloseTo(61 / 30.44);
    // One stray ticket six years earlier does not stretch the window.
    perDay.set(DAY('2011-08-29'), 1);
    expect(activeMonths(perDay)).toBeCloseTo(61 / 30.44);
    expect(activeMonths(new Map([[DAY('2017-10-01'), 5]]))).toBe(1);
    expect(activeMonths(new Map())).toBe(1);
  });
});
