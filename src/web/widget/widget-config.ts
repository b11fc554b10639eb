import type { CustomerIdentity } from './api-client.ts';

/** What the embedding script tag says, checked. */
export interface WidgetConfig {
  widgetKey: string;
  /** The API origin: `data-api`, else the origin the script was loaded from. */
  apiBase: string;
  title: string;
  open: boolean;
  customer: CustomerIdentity | undefined;
}

/**
 * Reads the script tag's data attributes (`dataset`): data-key (required), data-api, data-title, data-open,
 * data-customer-email / -name / -signature. Returns a message instead when the tag cannot work.
 *
 * @example
 * readWidgetConfig({ dataset: { key: 'sb_pk_demo' }, scriptSrc: 'https://help.example/widget.js',
 *   pageUrl: 'https://shop.example/' });
 * // { widgetKey: 'sb_pk_demo', apiBase: 'https://help.example', title: 'Support', open: false, customer: undefined }
 */
export function readWidgetConfig(props: {
  dataset: Record<string, string | undefined>;
  scriptSrc: string;
  pageUrl: string;
}): WidgetConfig | { error: string } {
  const d = props.dataset;
  const widgetKey = d.key?.trim();
  if (!widgetKey) return { error: 'the script tag has no data-key (the publishable widget key, sb_pk_...)' };
  let apiBase: string;
  try {
    const url = new URL(d.api?.trim() || props.scriptSrc || props.pageUrl, props.pageUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return { error: `data-api must be http(s)` };
    // data-api may carry a path prefix (a reverse proxy); the script's own URL gives the origin only
    apiBase = d.api?.trim() ? url.href.replace(/\/+$/, '') : url.origin;
  } catch {
    return { error: 'data-api is not a URL' };
  }
  const customer: CustomerIdentity = {};
  const email = d.customerEmail?.trim();
  const name = d.customerName?.trim();
  const signature = d.customerSignature?.trim();
  if (email) customer.email = email;
  if (name) customer.name = name;
  if (signature) customer.signature = signature;
  return {
    widgetKey,
    apiBase,
    title: d.title?.trim() || 'Support',
    open: d.open === 'true' || d.open === '',
    customer: Object.keys(customer).length > 0 ? customer : undefined,
  };
}
