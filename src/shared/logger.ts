/**
 * The logging interface the rest of the code sees. `app/logger.ts` builds the concrete pino logger (`serve` and
 * `worker` use it; the interactive commands pass `silentLogger`), with redaction of secret and personal fields
 * by name and of personal data and credentials inside every logged text; modules never log customer text.
 */
export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
