import { describe, expect, it } from 'vitest';
import { DEMO_CSS, type DemoPageProps, renderDemoPage } from './demo-page.ts';

const evil = '<img src=x onerror=alert(1)>';
const quote = `" onmouseover="alert(2)' x='`;

const props = (overrides: Partial<DemoPageProps> = {}): DemoPageProps => ({
  widgetKey: 'sb_pk_demo',
  scriptUrl: '/widget.js',
  customer: { email: 'olivia.okafor@example.net', name: 'Olivia Okafor', signature: 'abc123' },
  customers: [
    { email: 'olivia.okafor@example.net', name: 'Olivia Okafor' },
    { email: 'liam+test@example.net', name: 'Liam Smith' },
  ],
  tryThis: ['Where is my order?', 'I want to return something'],
  ...overrides,
});

/** Every attribute of the page's tags, decoded as the HTML parser would (enough for this page). */
function attributes(html: string): Array<[string, string]> {
  return [...html.matchAll(/\s([\w-]+)="([^"]*)"/g)].map((m) => [m[1]!, decode(m[2]!)]);
}
const decode = (s: string) =>
  s.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))).replace(/&amp;/g, '&');

describe('renderDemoPage', () => {
  it('renders the shop, the signed-in customer, the try list, the customer links and the widget tag', () => {
    const html = renderDemoPage(props());
    expect(html).toMatch(/^<!doctype html>/);
    expect(decode(html)).toContain('<title>Sable & Bramble');
    expect(html).toContain('Signed in as <strong>Olivia Okafor</strong>');
    expect(html).toContain('<li>Where is my order?</li>');
    const attrs = attributes(html);
    expect(attrs).toContainEqual(['href', '/?customer=liam%2Btest%40example.net']);
    expect(html).toMatch(/<a href="[^"]*olivia[^"]*" aria-current="true">/);
    const script = html.match(/<script[^>]*><\/script>/g) ?? [];
    expect(script).toHaveLength(1);
    expect(attributes(script[0]!)).toEqual([
      ['src', '/widget.js'],
      ['data-key', 'sb_pk_demo'],
      ['data-title', 'Sable & Bramble support'],
      ['data-customer-email', 'olivia.okafor@example.net'],
      ['data-customer-name', 'Olivia Okafor'],
      ['data-customer-signature', 'abc123'],
    ]);
    expect(html).toContain('<link rel="stylesheet" href="/demo.css">');
  });

  it('says "Not signed in" and leaves out the customer attributes without a customer', () => {
    const html = renderDemoPage(props({ customer: null }));
    expect(html).toContain('Not signed in');
    expect(html).not.toContain('data-customer-');
    expect(html).not.toContain('aria-current');
  });

  it('escapes every interpolated value, in text and in attributes', () => {
    const html = renderDemoPage({
      widgetKey: quote,
      scriptUrl: `/widget.js${quote}`,
      customer: { email: `${evil}@example.net`, name: evil, signature: quote },
      customers: [{ email: quote, name: evil }],
      tryThis: [evil, quote],
    });
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/onerror=|onmouseover=/);
    expect(html).toContain('&#60;img src&#61;x onerror&#61;alert(1)&#62;');
    // no attribute value was cut short by a quote from the data
    for (const [, value] of attributes(html.replace(/&#\d+;/g, ''))) expect(value).not.toMatch(/["'<>]/);
    expect(attributes(html)).toContainEqual(['data-customer-name', evil]);
    expect(attributes(html)).toContainEqual(['data-key', quote]);
    expect(html.match(/<script/g)).toHaveLength(1);
  });

  it('uses no inline script or style (the page runs under a strict CSP)', () => {
    const html = renderDemoPage(props());
    expect(html).not.toMatch(/<style|\sstyle=|\son\w+=|javascript:/i);
    expect(html.match(/<script[^>]*>/g)).toEqual([expect.stringMatching(/^<script src="\/widget\.js"/)]);
    expect(DEMO_CSS).not.toMatch(/@import|url\(\s*['"]?(https?:)?\/\//);
  });
});
