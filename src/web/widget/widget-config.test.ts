import { describe, expect, it } from 'vitest';
import { readWidgetConfig } from './widget-config.ts';

const page = 'https://shop.example/products?x=1';

describe('readWidgetConfig', () => {
  it('takes the API origin from the script URL and the customer from the data attributes', () => {
    expect(
      readWidgetConfig({
        dataset: {
          key: 'sb_pk_1',
          customerEmail: ' olivia@example.net ',
          customerName: 'Olivia',
          customerSignature: '',
          title: 'Sable & Bramble',
          open: 'true',
        },
        scriptSrc: 'https://help.example:8443/static/widget.js?v=2',
        pageUrl: page,
      }),
    ).toEqual({
      widgetKey: 'sb_pk_1',
      apiBase: 'https://help.example:8443',
      title: 'Sable & Bramble',
      open: true,
      customer: { email: 'olivia@example.net', name: 'Olivia' },
    });
  });

  it('lets data-api override the origin (relative to the page) and defaults the rest', () => {
    expect(
      readWidgetConfig({ dataset: { key: 'k', api: '/support/' }, scriptSrc: '', pageUrl: page }),
    ).toEqual({
      widgetKey: 'k',
      apiBase: 'https://shop.example/support',
      title: 'Support',
      open: false,
      customer: undefined,
    });
  });

  it('refuses a tag without a key or with a non-http API', () => {
    expect(
      readWidgetConfig({ dataset: {}, scriptSrc: 'https://a.example/w.js', pageUrl: page }),
    ).toHaveProperty('error');
    expect(
      readWidgetConfig({ dataset: { key: 'k', api: 'javascript:alert(1)' }, scriptSrc: '', pageUrl: page }),
    ).toHaveProperty('error');
  });
});
