import { SHOP } from '../demo/index.ts';
import { escapeHtml as h } from '../escalation/index.ts';

/** A demo customer the visitor can sign in as (a link to `/?customer=<email>`). */
export interface DemoCustomerLink {
  email: string;
  name: string;
}

export interface DemoPageProps {
  /** The publishable widget key (sb_pk_...). */
  widgetKey: string;
  /** Where the widget script is served, e.g. `/widget.js`. */
  scriptUrl: string;
  /** The signed-in demo customer, or null for an anonymous visitor. */
  customer: { email: string; name: string; signature?: string } | null;
  customers: DemoCustomerLink[];
  /** Sentences to try in the chat, e.g. "Where is my order?". */
  tryThis: string[];
}

interface Product {
  name: string;
  blurb: string;
  price: string;
  art: string;
}

// Static and invented; the art is drawn by demo.css (the page allows no external images).
const PRODUCTS: readonly Product[] = [
  { name: 'Linen duvet cover', blurb: 'Stone-washed Belgian linen, double', price: '$129.00', art: 'linen' },
  { name: 'Stoneware dinner set', blurb: 'Twelve pieces, reactive glaze', price: '$96.00', art: 'plates' },
  { name: 'Ceramic pour-over set', blurb: 'Dripper, carafe and two cups', price: '$58.00', art: 'pourover' },
  { name: 'Merino throw blanket', blurb: 'Woven in Yorkshire, 130 x 180 cm', price: '$145.00', art: 'throw' },
  { name: 'Oak bedside table', blurb: 'Solid oak, one soft-close drawer', price: '$210.00', art: 'table' },
  { name: 'Rattan floor lamp', blurb: 'Hand-woven shade, linen cord', price: '$172.00', art: 'lamp' },
];

/**
 * The demo shop's home page with the chat widget on it, served at `/` under a strict CSP: one stylesheet
 * (`/demo.css`), one same-origin script (the widget), no inline style or script. Every value is escaped.
 *
 * @example
 * renderDemoPage({ widgetKey: 'sb_pk_demo', scriptUrl: '/widget.js', customer: null, customers: [],
 *   tryThis: ['Where is my order?'] });
 */
export function renderDemoPage(props: DemoPageProps): string {
  const { customer } = props;
  const account = customer ? `Signed in as <strong>${h(customer.name)}</strong>` : 'Not signed in';
  const products = PRODUCTS.map(
    (p) => `
      <li class="product">
        <div class="art art-${h(p.art)}" role="img" aria-label="${h(p.name)}"></div>
        <h3>${h(p.name)}</h3>
        <p class="blurb">${h(p.blurb)}</p>
        <p class="price">${h(p.price)}</p>
      </li>`,
  ).join('');
  const tries = props.tryThis.map((t) => `<li>${h(t)}</li>`).join('');
  const customers = props.customers
    .map((c) => {
      const current = customer !== null && c.email.toLowerCase() === customer.email.toLowerCase();
      const href = `/?customer=${encodeURIComponent(c.email)}`;
      return `<li><a href="${h(href)}"${current ? ' aria-current="true"' : ''}>${h(c.name)}</a> <span class="email">${h(c.email)}</span></li>`;
    })
    .join('');
  const data: Array<[string, string | undefined]> = [
    ['data-key', props.widgetKey],
    ['data-title', `${SHOP.name} support`],
    ['data-customer-email', customer?.email],
    ['data-customer-name', customer?.name],
    ['data-customer-signature', customer?.signature],
  ];
  const attributes = data
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
    .map(([name, value]) => ` ${name}="${h(value)}"`)
    .join('');

  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${h(SHOP.name)} · Switchboard demo</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/demo.css">
</head>
<body>
  <header class="site-header">
    <div class="bar">
      <a class="brand" href="/">${h(SHOP.name)}</a>
      <nav aria-label="Departments"><span>Living</span><span>Kitchen</span><span>Bedroom</span><span>Bath</span></nav>
      <p class="account">${account}</p>
    </div>
  </header>
  <main>
    <section class="hero">
      <h1>Slow-made things for a calmer home</h1>
      <p>Linen, stoneware and oak, chosen for the long run. ${h(SHOP.membership)} members get free delivery and 60-day returns.</p>
    </section>
    <div class="layout">
      <section aria-labelledby="new-in">
        <h2 id="new-in">New in</h2>
        <ul class="products">${products}
        </ul>
      </section>
      <aside class="side">
        <section class="card try" aria-labelledby="try-title">
          <h2 id="try-title">Try the support chat</h2>
          <p>Open the chat at the bottom right and write, for example:</p>
          <ul>${tries}</ul>
        </section>
        <section class="card" aria-labelledby="customers-title">
          <h2 id="customers-title">Demo customers</h2>
          <p>Sign in as one of them: the assistant then knows their orders.</p>
          <ul class="customers">${customers}</ul>
        </section>
      </aside>
    </div>
  </main>
  <footer class="site-footer">
    <p>${h(SHOP.name)} is a fictional shop: the demo of Switchboard, an open-source customer-support automation engine. Every name, order and address here is invented.</p>
  </footer>
  <script src="${h(props.scriptUrl)}"${attributes} async></script>
</body>
</html>
`;
}

/** The demo page's stylesheet, served at `/demo.css`. */
export const DEMO_CSS = `*{box-sizing:border-box}
:root{--ink:#22272b;--muted:#5d6670;--line:#e4e0d8;--paper:#fbf9f5;--accent:#2f5d50;--accent-soft:#e6efe9}
body{margin:0;background:var(--paper);color:var(--ink);
font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
a{color:var(--accent)}
h1,h2,h3{line-height:1.2;margin:0}
.site-header{background:#fff;border-bottom:1px solid var(--line)}
.bar{max-width:1120px;margin:0 auto;padding:16px 24px;display:flex;align-items:center;gap:32px;flex-wrap:wrap}
.brand{font:600 22px/1 Georgia,"Times New Roman",serif;letter-spacing:.02em;color:var(--ink);text-decoration:none}
nav{display:flex;gap:20px;color:var(--muted);font-size:15px}
.account{margin:0 0 0 auto;font-size:14px;color:var(--muted)}
.account strong{color:var(--ink)}
main{max-width:1120px;margin:0 auto;padding:0 24px 48px}
.hero{margin:28px 0;padding:44px 40px;border-radius:18px;color:#fff;
background:linear-gradient(120deg,rgba(34,49,43,.92),rgba(47,93,80,.75)),
repeating-linear-gradient(45deg,#3c6a5c 0 14px,#355f52 14px 28px)}
.hero h1{font:600 34px/1.15 Georgia,"Times New Roman",serif;max-width:16em}
.hero p{max-width:36em;margin:12px 0 0;opacity:.92}
.layout{display:grid;grid-template-columns:minmax(0,1fr) 320px;gap:32px;align-items:start}
.layout h2{font-size:20px;margin-bottom:14px}
.products{list-style:none;margin:0;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:20px}
.product{background:#fff;border:1px solid var(--line);border-radius:14px;padding:12px 12px 16px}
.product h3{font-size:16px;margin:12px 4px 2px}
.blurb{margin:0 4px;color:var(--muted);font-size:14px}
.price{margin:8px 4px 0;font-weight:650}
.art{position:relative;height:150px;border-radius:10px;overflow:hidden}
.art::before,.art::after{content:"";position:absolute}
.art-linen{background:repeating-linear-gradient(0deg,#ece5d8 0 9px,#e4dccd 9px 18px)}
.art-linen::before{left:18%;right:18%;top:26%;bottom:22%;border-radius:8px;background:#f7f3ec;box-shadow:0 8px 0 #dcd2c0}
.art-plates{background:#dfe7ea}
.art-plates::before{left:50%;top:50%;width:110px;height:110px;margin:-55px 0 0 -55px;border-radius:50%;
background:radial-gradient(circle,#f6f3ee 0 38%,#c9d3d6 39% 42%,#efebe4 43%)}
.art-plates::after{left:50%;top:50%;width:46px;height:46px;margin:-23px 0 0 28px;border-radius:50%;background:#7b9aa3;opacity:.7}
.art-pourover{background:#f0e6da}
.art-pourover::before{left:50%;top:22%;width:74px;height:50px;margin-left:-37px;background:#fbfaf7;
clip-path:polygon(0 0,100% 0,62% 100%,38% 100%)}
.art-pourover::after{left:50%;top:56%;width:58px;height:44px;margin-left:-29px;border-radius:6px 6px 14px 14px;background:#b7805a}
.art-throw{background:repeating-linear-gradient(90deg,rgba(120,52,44,.5) 0 12px,transparent 12px 30px),
repeating-linear-gradient(0deg,rgba(120,52,44,.45) 0 12px,transparent 12px 30px),#d9b9a0}
.art-table{background:#e7ede6}
.art-table::before{left:32%;right:32%;top:30%;height:58px;border-radius:4px;background:#b08257;box-shadow:inset 0 -14px 0 #9a6f47}
.art-table::after{left:34%;right:34%;top:calc(30% + 58px);height:34px;
background:linear-gradient(90deg,#8c6540 0 8px,transparent 8px calc(100% - 8px),#8c6540 calc(100% - 8px))}
.art-lamp{background:radial-gradient(32px 7px at 50% 86%,#4b4237 96%,transparent),#ebe5f0}
.art-lamp::before{left:50%;top:16%;width:78px;height:48px;margin-left:-39px;background:repeating-linear-gradient(60deg,#c9a36b 0 4px,#b08a52 4px 8px);
clip-path:polygon(22% 0,78% 0,100% 100%,0 100%)}
.art-lamp::after{left:50%;top:calc(16% + 48px);bottom:14%;width:4px;margin-left:-2px;background:#4b4237}
.card{background:#fff;border:1px solid var(--line);border-radius:14px;padding:18px 20px;margin-bottom:20px}
.card h2{font-size:17px;margin-bottom:6px}
.card p{margin:0 0 10px;color:var(--muted);font-size:14px}
.card ul{margin:0;padding-left:18px}
.card li{margin:4px 0}
.try{background:var(--accent-soft);border-color:#cfe0d6}
.try li{font-style:italic}
.customers{list-style:none;padding:0!important}
.customers li{display:flex;flex-direction:column;padding:6px 0;border-top:1px solid var(--line)}
.customers li:first-child{border-top:0}
.customers a{font-weight:600;text-decoration:none}
.customers a:hover{text-decoration:underline}
.customers a[aria-current]::after{content:" (you)";color:var(--muted);font-weight:400}
.email{font-size:13px;color:var(--muted)}
.site-footer{border-top:1px solid var(--line);color:var(--muted);font-size:13px}
.site-footer p{max-width:1120px;margin:0 auto;padding:20px 24px 96px}
@media (max-width:820px){.layout{grid-template-columns:1fr}.hero{padding:32px 24px}.hero h1{font-size:27px}
.account{margin-left:0}}
`;
