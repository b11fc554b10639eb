import pino from 'pino';
import type { Logger } from '../shared/index.ts';

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

/**
 * The process's logger: pino, JSON lines on stderr (stdout stays for a command's own output), with the fields
 * above redacted at any depth of one object or in request headers.
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
      level: props.level ?? process.env.SWITCHBOARD_LOG_LEVEL ?? 'info',
      redact: { paths, censor: '[redacted]' },
      base: { pid: process.pid },
    },
    (props.destination ?? process.stderr) as pino.DestinationStream,
  );
  return {
    debug: (fields, message) => base.debug(fields, message),
    info: (fields, message) => base.info(fields, message),
    warn: (fields, message) => base.warn(fields, message),
    error: (fields, message) => base.error(fields, message),
  };
}
