// The agent inbox's one script (served from /inbox/assets: the Content Security Policy allows no inline script).
// The pages work without it; it adds live updates: a region marked data-live="<name>" is fetched again as
// `?fragment=<name>` when the server says a conversation changed (server-sent events on /inbox/events). The
// fragments are rendered and escaped by the server; nothing here builds HTML from data.
(() => {
  if (document.body.dataset.liveUpdates !== 'on' || typeof EventSource === 'undefined') return;
  const regions = Array.from(document.querySelectorAll('[data-live]'));
  if (regions.length === 0) return;
  const page = document.querySelector('[data-conversation]');
  const only = page ? page.getAttribute('data-conversation') : null;
  let timer = null;

  async function refresh() {
    timer = null;
    for (const region of regions) {
      const url = new URL(window.location.href);
      url.searchParams.set('fragment', region.getAttribute('data-live'));
      try {
        const res = await fetch(url, { credentials: 'same-origin', headers: { accept: 'text/html' } });
        if (!res.ok) continue;
        const text = await res.text();
        const parsed = new DOMParser().parseFromString(`<body>${text}</body>`, 'text/html');
        region.replaceChildren(...Array.from(parsed.body.childNodes));
      } catch {
        // The next change tries again.
      }
    }
  }

  const events = new EventSource('/inbox/events');
  events.addEventListener('changed', (event) => {
    let id = null;
    try {
      id = JSON.parse(event.data).id;
    } catch {
      return;
    }
    if (only !== null && id !== only) return;
    if (timer === null) timer = setTimeout(refresh, 250);
  });
})();
