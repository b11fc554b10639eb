import { writeFileSync } from 'node:fs';
import { createApiKey } from '../access/index.ts';
import {
  FIXTURE_CUSTOMER_LOCKED,
  FIXTURE_CUSTOMER_NO_ORDERS,
  FIXTURE_CUSTOMER_ONE_ORDER,
  FIXTURE_CUSTOMER_THREE_ORDERS,
} from '../connectors/demo-shop/index.ts';
import type { Deployment } from './deployment.ts';

/**
 * The configuration `switchboard start` writes when a folder has none: the demo deployment, which asks for the
 * demo shop connector (answered in process), the seven demo workflows and the demo page. Nothing else is demo:
 * a deployment only gets these when its configuration names them.
 */
export function demoConfigText(props: { db: string; port: number }): string {
  return `# switchboard.yaml: the demo deployment, written by \`switchboard start\` (npm start).
# Edit it or replace it: see docs/serve.md. Relative paths are read from this file's folder.
store:
  url: ${JSON.stringify(props.db)}
# The seven demo workflows of the Sable & Bramble shop (your own: workflows: { dir: workflows }).
workflows:
  demo: true
# The demo shop, answered in process (a shop of your own: the http connector, see docs/connectors.md).
connectors:
  demo-shop: {}
# The conversation tests a retrained model must pass (your own: learning: { tests: conversation-tests }).
learning:
  demoTests: true
server:
  host: 127.0.0.1
  port: ${props.port}
  # The demo shop page with the chat widget at /.
  demoPage: true
`;
}

export function writeDemoConfig(file: string, props: { db: string; port: number }): void {
  writeFileSync(file, demoConfigText(props), { flag: 'wx' });
}

/** The demo shop's customers the demo page can sign in as: each shows another path through the workflows. */
export const DEMO_PAGE_CUSTOMERS = [
  FIXTURE_CUSTOMER_THREE_ORDERS,
  FIXTURE_CUSTOMER_ONE_ORDER,
  FIXTURE_CUSTOMER_LOCKED,
  FIXTURE_CUSTOMER_NO_ORDERS,
].map((c) => ({ email: c.email, name: c.name }));

export const DEMO_PAGE_TRY_THIS = [
  'Where is my order?',
  'I forgot my password',
  'Can I get the invoice for my last order?',
  'How long do refunds take?',
  'I want to talk to a person',
];

/** What the demo page at `/` shows: a key to embed the widget with, customers to sign in as, sentences to try. */
export interface DemoPageSource {
  /** The publishable key and the identity secret the page signs customers with. */
  key: () => Promise<{ widgetKey: string; identitySecret: string | null }>;
  customers: ReadonlyArray<{ email: string; name: string }>;
  tryThis: readonly string[];
}

/** The name of the publishable key the demo page uses. */
export const DEMO_PAGE_KEY_NAME = 'demo-page';

/**
 * What the demo page needs: a publishable widget key that verifies identity (found in the store, or created the
 * first time), so the page can sign the demo customer it shows, and the customers to switch between.
 */
export function demoPageSource(deployment: Deployment): DemoPageSource {
  let key: Promise<{ widgetKey: string; identitySecret: string | null }> | null = null;
  const find = async () => {
    const { store } = deployment;
    const existing = (await store.listApiKeys()).find(
      (k) => k.name === DEMO_PAGE_KEY_NAME && k.revokedAt === null && k.publishableKey && k.identitySecret,
    );
    if (existing?.publishableKey) {
      return { widgetKey: existing.publishableKey, identitySecret: existing.identitySecret };
    }
    const created = await createApiKey({
      store,
      name: DEMO_PAGE_KEY_NAME,
      scopes: ['widget'],
      verifyIdentity: true,
      by: 'demo-page',
      at: deployment.clock.now(),
    });
    return { widgetKey: created.secret, identitySecret: created.identitySecret ?? null };
  };
  return {
    key: () => {
      key ??= find().catch((error: unknown) => {
        key = null;
        throw error;
      });
      return key;
    },
    customers: DEMO_PAGE_CUSTOMERS,
    tryThis: DEMO_PAGE_TRY_THIS,
  };
}
