// The embeddable chat widget, bundled by scripts/build-widget.mjs into one IIFE (dist/web/widget.js):
//   <script src="{your Switchboard server}/widget.js" data-key="sb_pk_..." async></script>
// (served by `switchboard serve`; the widget loads nothing else, and talks only to that server or to data-api).
// Optional: data-customer-email, data-customer-name, data-customer-signature, data-title, data-open="true",
// data-api (the API base URL when it is not the script's origin).
import { createChatController } from './chat-controller.ts';
import { mountChatView } from './chat-view.ts';
import { conversationStorageKey, type KeyValueStore } from './conversation-storage.ts';
import { readWidgetConfig } from './widget-config.ts';

const HOST_ID = 'switchboard-widget';

function findScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement) return current;
  return document.querySelector<HTMLScriptElement>('script[data-key][src*="widget"]');
}

function localStore(): KeyValueStore | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined; // blocked (third-party storage settings, sandboxed frames)
  }
}

function boot(script: HTMLScriptElement): void {
  if (document.getElementById(HOST_ID)) return; // embedded twice: one widget
  const config = readWidgetConfig({
    dataset: { ...script.dataset },
    scriptSrc: script.src,
    pageUrl: location.href,
  });
  if ('error' in config) {
    console.warn(`Switchboard widget: ${config.error}`);
    return;
  }
  const chat = createChatController({
    widgetKey: config.widgetKey,
    customer: config.customer,
    apiBase: config.apiBase,
    store: localStore(),
    storageKey: conversationStorageKey(config.widgetKey, config.customer?.email),
  });
  const host = document.createElement('div');
  host.id = HOST_ID;
  document.body.append(host);
  mountChatView({ host, chat, title: config.title, open: config.open });
  chat.start();
  window.addEventListener('online', () => chat.wake());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') chat.wake();
  });
}

const script = findScript();
if (script) {
  if (document.body) boot(script);
  else document.addEventListener('DOMContentLoaded', () => boot(script), { once: true });
}
