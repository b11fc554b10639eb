import pino from 'pino';
import { type Logger, UserError } from '../shared/index.ts';
import { redact } from '../shared/redact.ts';

/**
 * Field names whose values never reach a log line, wherever they sit (one level deep, or in a request):
 * credentials, and the customer's own words and identity. Modules already log codes and counts only; this is
 * the net under that rule.
 */
export const REDACTED_FIELDS = [
  'text',
  'body',
  'comment',
  'email',
  'name',
  'password',
  'token',
  'secret',
  'apiKey',
  'authorization',
  'cookie',
];

/** A credential written into a text: `Bearer abc...`, `Basic ...`, `Token ...`. */
const CREDENTIAL = /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
/** Deeper than this, a logged value is replaced: fields are codes and counts, never whole documents. */
const MAX_DEPTH = 6;

/** A text as it may be logged: personal data masked (`redact`), credentials replaced. */
export function logSafeText(text: string): string {
  return redact(text).replace(CREDENTIAL, '$1 [redacted]');
}

function logSafe(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return logSafeText(value);
  if (value instanceof Error) return { type: value.name, message: logSafeText(value.message) };
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[deep]';
  if (Array.isArray(value)) return value.map((v) => logSafe(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, logSafe(v, depth + 1)]));
}

/**
 * The process's logger: pino, JSON lines on stderr (stdout stays for a command's own output), with the fields
 * above redacted at any depth of one object or in request headers, and every other text (a field's value, the
 * message) passed through `logSafeText`: an error message that quotes an email, a card or a token loses it.
 * The level is the caller's (`SWITCHBOARD_LOG_LEVEL`, read by the CLI at start-up), `info` by default.
 *
 * @example
 * const logger = createLogger({ level: 'info' });
 * logger.info({ port: 8080 }, 'listening');
 */
export function createLogger(props: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const paths = [
    ...REDACTED_FIELDS,
    ...REDACTED_FIELDS.map((f) => `*.${f}`),
    'req.headers.authorization',
    'req.headers.cookie',
    'req.headers["idempotency-key"]',
  ];
  const base = pino(
    {
      level: props.level ?? 'info',
      redact: { paths, censor: '[redacted]' },
      base: { pid: process.pid },
    },
    (props.destination ?? process.stderr) as pino.DestinationStream,
  );
  return {
    debug: (fields, message) => base.debug(logSafe(fields) as object, logSafeText(message)),
    info: (fields, message) => base.info(logSafe(fields) as object, logSafeText(message)),
    warn: (fields, message) => base.warn(logSafe(fields) as object, logSafeText(message)),
    error: (fields, message) => base.error(logSafe(fields) as object, logSafeText(message)),
  };
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * The log level a process asks for in `SWITCHBOARD_LOG_LEVEL` (`info` when unset); another word is a user
 * error that lists the levels.
 *
 * @example
 * createLogger({ level: logLevelFromEnv(io.env) });
 */
export function logLevelFromEnv(env: Record<string, string | undefined>): string {
  const level = env.SWITCHBOARD_LOG_LEVEL?.trim().toLowerCase() || 'info';
  if (!(LEVELS as readonly string[]).includes(level)) {
    throw new UserError('config.log_level', `SWITCHBOARD_LOG_LEVEL is one of ${LEVELS.join(', ')}`, {
      field: 'SWITCHBOARD_LOG_LEVEL',
    });
  }
  return level;
}
