import { describe, expect, it } from 'vitest';
import { UserError } from '../shared/index.ts';
import { renderTemplate, templateLoopRuns, templateProblem, templateVariables } from './template.ts';

describe('renderTemplate', () => {
  const scope = {
    slots: { name: '<b>Sam</b> & "co"' },
    vars: { orders: [{ number: 'SB-1' }, { number: 'SB-2' }] },
  };

  it('escapes HTML by default, and renders data unescaped when asked', () => {
    expect(renderTemplate('Hi {{ slots.name }}', scope)).toBe('Hi &lt;b&gt;Sam&lt;/b&gt; &amp; &#34;co&#34;');
    expect(renderTemplate('Hi {{ slots.name }}', scope, { escape: false })).toBe('Hi <b>Sam</b> & "co"');
  });

  it('supports lists, filters and conditions', () => {
    expect(
      renderTemplate(
        '{{ vars.orders.size }} orders: {% for o in vars.orders %}{{ o.number }}{% unless forloop.last %}, {% endunless %}{% endfor %}; first {{ vars.orders[0].number }}{% if slots.missing %}!{% endif %} {{ slots.missing | default: "none" }}',
        scope,
      ),
    ).toBe('2 orders: SB-1, SB-2; first SB-1 none');
  });

  it('refuses unknown filters and file access, naming the template', () => {
    expect(() => renderTemplate('{{ slots.name | shout }}', scope)).toThrow(UserError);
    expect(() => renderTemplate('{{ slots.name | shout }}', scope)).toThrow(
      /template "\{\{ slots.name \| shout \}\}": undefined filter: shout/,
    );
    for (const tag of ['include', 'render', 'layout']) {
      expect(() => renderTemplate(`{% ${tag} "/etc/passwd" %}`, scope)).toThrow(`tag "${tag}" not found`);
    }
  });

  it('stops a template that renders too much', () => {
    expect(() => renderTemplate('{% for i in (1..2000000) %}x{% endfor %}', {})).toThrow(UserError);
  });

  it('never reads inherited properties', () => {
    expect(renderTemplate('[{{ slots.constructor }}{{ slots.__proto__ }}]', scope)).toBe('[]');
  });
});

describe('templateVariables', () => {
  it('lists the scope paths a template reads, once each, without loop variables', () => {
    expect(
      templateVariables(
        '{{ customer.name }} {% for o in vars.orders %}{{ o.number }}{% endfor %} {{ vars.orders[0].number }} {% assign x = 1 %}{{ x }} {{ customer.name }} {{ item.number | default: slots.fallback }}',
      ),
    ).toEqual(['customer.name', 'vars.orders', 'vars.orders.0.number', 'item.number', 'slots.fallback']);
  });
});

describe('templateProblem', () => {
  it('says why a template does not parse', () => {
    expect(templateProblem('Hello {{ customer.name }}')).toBeNull();
    expect(templateProblem('Hello {{ customer.name')).toMatch(/not closed/);
    expect(templateProblem('{% include "x" %}')).toMatch(/tag "include" not found/);
  });
});

describe('render budget', () => {
  const items = Array.from({ length: 1000 }, (_, i) => i);
  const nested =
    '{% for a in vars.items %}{% for b in vars.items %}{% for c in vars.items %}x{% endfor %}{% endfor %}{% endfor %}';

  it('stops a template that loops past the time limit, with a UserError', () => {
    const started = performance.now();
    let thrown: unknown;
    try {
      renderTemplate(nested, { vars: { items } });
    } catch (error) {
      thrown = error;
    }
    // The limit is 250 ms; the margin is for a loaded machine (without the limit this runs for minutes).
    expect(performance.now() - started).toBeLessThan(5000);
    expect(thrown).toBeInstanceOf(UserError);
    expect((thrown as UserError).code).toBe('workflow.template_failed');
    expect((thrown as UserError).message).toMatch(/render limit/i);
  });

  it('refuses an output larger than the limit', () => {
    expect(() =>
      renderTemplate("{{ 'x' | append: vars.long }}", { vars: { long: 'y'.repeat(100_000) } }),
    ).toThrow(/the output is 100001 characters; a template may write at most 100000/);
  });

  it('counts the runs of nested literal ranges for the check', () => {
    expect(templateLoopRuns('{% for i in (1..100) %}{% for j in (1..50) %}x{% endfor %}{% endfor %}')).toBe(
      5000,
    );
    expect(templateLoopRuns('{% for i in (1..10) %}a{% endfor %}{% for j in (1..20) %}b{% endfor %}')).toBe(
      20,
    );
    expect(templateLoopRuns(nested)).toBe(1);
    expect(templateLoopRuns('no loops')).toBe(0);
  });
});
