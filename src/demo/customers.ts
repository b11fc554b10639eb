import type { DemoCustomer } from './demo-ticket.ts';
import { createRandom, weightedTable } from './random.ts';
import { COMPANIES, FIRST_NAMES, LAST_NAMES, PERSONAL_EMAIL_DOMAINS, type PlanTier } from './shop.ts';

const PLANS = weightedTable<PlanTier>([
  ['free', 55],
  ['pro', 28],
  ['business', 12],
  ['enterprise', 5],
]);

export type Currency = 'USD' | 'EUR' | 'GBP';
const CURRENCIES = weightedTable<Currency>([
  ['USD', 70],
  ['EUR', 15],
  ['GBP', 15],
]);

/** How a customer writes, the same in every ticket they open. */
export type Voice = 'formal' | 'casual' | 'terse';
const VOICES = weightedTable<Voice>([
  ['formal', 35],
  ['casual', 45],
  ['terse', 20],
]);
/** Multipliers of the typo rate; their mean is 1 so the configured rate holds over many customers. */
const SLOPPINESS = weightedTable<number>([
  [0, 30],
  [0.5, 30],
  [1, 20],
  [3.25, 20],
]);

/** A customer and the habits that shape how they write. */
export interface CustomerProfile {
  customer: DemoCustomer;
  lastName: string;
  currency: Currency;
  voice: Voice;
  sloppiness: number;
}

const letters = (s: string) => s.toLowerCase().replace(/[^a-z]/g, '');

/** A prime larger than either address space below, so stepping by it visits every address once. */
const ADDRESS_STRIDE = 1_000_000_007;
/** How a personal address is written: four forms without a number, then `firstlast7`, `first.last8`, ... */
const PERSONAL_FORMS = 100;
/** Company addresses: the four forms, then `first.last2` to `first.last7` for the namesakes. */
const COMPANY_FORMS = 10;

function localPart(first: string, last: string, form: number): string {
  if (form === 0) return `${first}.${last}`;
  if (form === 1) return `${first}${last}`;
  if (form === 2) return `${first}_${last}`;
  if (form === 3) return `${last}.${first}`;
  return form % 2 === 0 ? `${first}.${last}${form}` : `${first}${last}${form}`;
}

/**
 * The name and address of customer `index`: a step through every (first name, last name, domain, form) the
 * shop's lists allow, from a seeded start, so no two customers of a seed share an email (up to 5 million
 * personal and 10 million company customers) and the demo shop can key its accounts by email.
 */
function identity(
  seed: string,
  index: number,
  domains: readonly string[],
  forms: number,
): { firstName: string; lastName: string; domainIndex: number; email: string } {
  const space = FIRST_NAMES.length * LAST_NAMES.length * domains.length * forms;
  const offset = addressOffset(seed, space);
  let c = ((index % space) * (ADDRESS_STRIDE % space) + offset) % space;
  const firstName = FIRST_NAMES[c % FIRST_NAMES.length] as string;
  c = Math.floor(c / FIRST_NAMES.length);
  const lastName = LAST_NAMES[c % LAST_NAMES.length] as string;
  c = Math.floor(c / LAST_NAMES.length);
  const domainIndex = c % domains.length;
  const form = Math.floor(c / domains.length);
  const email = `${localPart(letters(firstName), letters(lastName), form)}@${domains[domainIndex]}`;
  return { firstName, lastName, domainIndex, email };
}

const COMPANY_DOMAINS = COMPANIES.map((c) => c.domain);

// Every ticket asks for its seed's offsets again: remember the last seed's.
let lastOffsets = { seed: '', offsets: new Map<number, number>() };
function addressOffset(seed: string, space: number): number {
  if (lastOffsets.seed !== seed) lastOffsets = { seed, offsets: new Map() };
  let offset = lastOffsets.offsets.get(space);
  if (offset === undefined) {
    offset = createRandom(`${seed}:addresses:${space}`).int(0, space - 1);
    lastOffsets.offsets.set(space, offset);
  }
  return offset;
}

/**
 * The customer at `index` in the pool, derived from the seed and the index alone, so customers recur across
 * tickets without the generator keeping a table of them in memory. Emails are unique within a seed.
 */
export function customerAt(seed: string, index: number): CustomerProfile {
  const rng = createRandom(`${seed}:customer:${index}`);
  const plan = rng.weighted(PLANS);
  const business = plan === 'business' || plan === 'enterprise';
  const { firstName, lastName, domainIndex, email } = business
    ? identity(seed, index, COMPANY_DOMAINS, COMPANY_FORMS)
    : identity(seed, index, PERSONAL_EMAIL_DOMAINS, PERSONAL_FORMS);
  const company = business ? COMPANIES[domainIndex] : undefined;
  return {
    customer: {
      id: 3_000_001 + index,
      name: `${firstName} ${lastName}`,
      firstName,
      email,
      plan,
      company: company?.name ?? null,
    },
    lastName,
    currency: rng.weighted(CURRENCIES),
    voice: rng.weighted(VOICES),
    sloppiness: rng.weighted(SLOPPINESS),
  };
}
