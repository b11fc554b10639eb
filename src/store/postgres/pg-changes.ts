import pg from 'pg';
import type { Logger } from '../../shared/index.ts';
import {
  type Change,
  type ChangeFeed,
  createLocalChanges,
  decodeChange,
  encodeChange,
} from '../change-feed.ts';

/** Waits before listening again after the listening connection broke, doubling up to the cap. */
const RECONNECT_MS = [250, 500, 1000, 2000, 5000];

/**
 * Changes on PostgreSQL: a writer sends `pg_notify(channel, 'topic:id')` inside its transaction (`notifySql`), so
 * every process hears a change once it is committed; one connection per process LISTENs. The process's own
 * writes are also announced locally right after commit (no round trip). When the listening connection breaks, it
 * reconnects and announces `any` (something may have been missed: read again).
 */
export function openPgChanges(props: {
  url: string;
  channel: string;
  logger: Logger;
  /** Runs `pg_notify` for `publish` (the store's pool). */
  notify: (channel: string, payload: string) => Promise<unknown>;
}): ChangeFeed & { emit: (change: Change) => void; close: () => Promise<void> } {
  const local = createLocalChanges();
  let client: pg.Client | null = null;
  let closed = false;
  let failures = 0;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: props.url });
    next.on('notification', (message) => {
      if (message.channel !== props.channel || !message.payload) return;
      const change = decodeChange(message.payload);
      if (change) local.emit(change);
    });
    next.on('error', () => {
      // 'end' follows; the reconnect happens there.
    });
    next.on('end', () => {
      if (closed || client !== next) return;
      client = null;
      scheduleReconnect();
    });
    await next.connect();
    await next.query(`listen ${quoteChannel(props.channel)}`);
    client = next;
    failures = 0;
  };
  const scheduleReconnect = () => {
    const delay = RECONNECT_MS[Math.min(failures++, RECONNECT_MS.length - 1)]!;
    const timer = setTimeout(() => {
      if (closed) return;
      connect().then(
        () => local.emit({ topic: 'any', id: null }),
        (error: unknown) => {
          props.logger.warn(
            { code: (error as { code?: string }).code ?? 'unknown' },
            'change feed: cannot listen; retrying',
          );
          scheduleReconnect();
        },
      );
    }, delay);
    timer.unref();
  };

  // The listening connection opens with the first listener: a store nobody listens to holds none.
  let listening = false;

  return {
    subscribe(listener) {
      if (!listening) {
        listening = true;
        void connect().catch((error: unknown) => {
          props.logger.warn(
            { code: (error as { code?: string }).code ?? 'unknown' },
            'change feed: cannot listen; retrying',
          );
          scheduleReconnect();
        });
      }
      return local.subscribe(listener);
    },
    emit: local.emit,
    async publish(change) {
      local.emit(change);
      await props.notify(props.channel, encodeChange(change));
    },
    async close() {
      closed = true;
      const current = client;
      client = null;
      await current?.end().catch(() => undefined);
    },
  };
}

/** A channel name for a store schema: NOTIFY channels are per database, so each schema gets its own. */
export function changeChannel(schema: string | undefined): string {
  return `switchboard_${schema ?? 'public'}`.slice(0, 63).toLowerCase();
}

function quoteChannel(channel: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`bad channel name ${JSON.stringify(channel)}`);
  return channel;
}
