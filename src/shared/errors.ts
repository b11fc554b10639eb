/**
 * The three kinds of error. Each has a stable `code`; `cli/` and `server/` are the only places that turn them
 * into exit codes or HTTP responses.
 *
 * - UserError: bad input or configuration. Says what and where; exit code 2; nothing half-written.
 * - OperationalError: a dependency failed (database down, connector timeout). Retried, then reported.
 * - BugError: an invariant broke. Exit code 1.
 *
 * @example
 * throw new UserError('import.bad_format', 'tickets.csv is not a Zendesk export', { file: 'tickets.csv' });
 */
export interface ErrorLocation {
  file?: string;
  line?: number;
  column?: number;
  field?: string;
}

export abstract class SwitchboardError extends Error {
  abstract readonly kind: 'user' | 'operational' | 'bug';
  readonly code: string;
  readonly location: ErrorLocation | undefined;

  constructor(code: string, message: string, location?: ErrorLocation, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.location = location;
    this.name = new.target.name;
  }

  /** `file:line: field: message`, the form printed to the terminal. */
  describe(): string {
    const loc = this.location;
    if (!loc) return this.message;
    const where = [loc.file, loc.line, loc.column].filter((part) => part !== undefined).join(':');
    const field = loc.field ? `${loc.field}: ` : '';
    return where ? `${where}: ${field}${this.message}` : `${field}${this.message}`;
  }
}

export class UserError extends SwitchboardError {
  readonly kind = 'user' as const;
}

export class OperationalError extends SwitchboardError {
  readonly kind = 'operational' as const;
}

export class BugError extends SwitchboardError {
  readonly kind = 'bug' as const;
}

export const isSwitchboardError = (value: unknown): value is SwitchboardError =>
  value instanceof SwitchboardError;
