import { type DateOrder, dateOrderOf } from '../../domain/index.ts';
import { UserError } from '../../shared/index.ts';
import type { DateFormat } from '../importer.ts';

/** A value from the first records of a file, with the line it is on. */
export interface DateSample {
  value: unknown;
  line: number;
}

const OPTION = 'pass --date-format day-first or --date-format month-first';

/**
 * How a file's numeric dates (`22-03-2021`) are read, settled once from its first records (the first chunk read,
 * about 64 KiB): `--date-format` when given; else the order shown by a date whose day or month is over 12, which
 * then also reads the ambiguous ones (`03-04-2021`). Throws `import.ambiguous_dates`, before any record is
 * yielded, when those dates are all ambiguous or show both orders. Null when the first records hold no date that
 * needs an order: an ambiguous date met later is then rejected with its row (`dateOrderProblem`).
 *
 * @example
 * settleDateOrder([{ value: '22-03-2021', line: 2 }, { value: '03-04-2021', line: 3 }], undefined, 'f.csv');
 * // 'day-first'
 */
export function settleDateOrder(
  samples: Iterable<DateSample>,
  option: DateFormat | undefined,
  file: string,
): DateOrder | null {
  if (option !== undefined) return option;
  const seen: Partial<Record<DateOrder | 'ambiguous', DateSample>> = {};
  for (const sample of samples) {
    if (typeof sample.value !== 'string') continue;
    const order = dateOrderOf(sample.value);
    if (order !== null) seen[order] ??= sample;
  }
  const { 'day-first': dayFirst, 'month-first': monthFirst, ambiguous } = seen;
  if (dayFirst && monthFirst) {
    const [first, second] = [dayFirst, monthFirst].sort((a, b) => a.line - b.line) as [
      DateSample,
      DateSample,
    ];
    throw new UserError(
      'import.ambiguous_dates',
      `the dates disagree on the order of day and month: ${shown(first)} has the ${first === dayFirst ? 'day' : 'month'} first, ${shown(second)} the ${second === dayFirst ? 'day' : 'month'}; ${OPTION} (dates in the other order are then rejected)`,
      { file, line: first.line },
    );
  }
  if (dayFirst) return 'day-first';
  if (monthFirst) return 'month-first';
  if (ambiguous) {
    throw new UserError(
      'import.ambiguous_dates',
      `dates such as ${shown(ambiguous)} could have the day or the month first, and no date in the first rows has a day over 12 to settle it; ${OPTION}`,
      { file, line: ambiguous.line },
    );
  }
  return null;
}

const shown = (sample: DateSample) => `"${String(sample.value)}" (line ${sample.line})`;

/**
 * Why a numeric date did not parse, as the end of a reject reason: it needs an order of day and month, or is not
 * in the file's. Null for any other text that is not a time.
 *
 * @example
 * `created_at "22-03-2021" ${dateOrderProblem('22-03-2021', 'month-first')}`; // ... is not a month-first date
 */
export function dateOrderProblem(raw: string, order: DateOrder | null): string | null {
  const shows = dateOrderOf(raw);
  if (shows === 'ambiguous' && order === null) return `could have the day or the month first; ${OPTION}`;
  if (shows !== null && shows !== 'ambiguous' && order !== null && shows !== order) {
    return `is not a ${order} date`;
  }
  return null;
}
