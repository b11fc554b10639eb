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

/**
 * The customer at `index` in the pool, derived from the seed and the index alone, so customers recur across
 * tickets without the generator keeping a table of them in memory.
 */
export function customerAt(seed: string, index: number): CustomerProfile {
  const rng = createRandom(`${seed}:customer:${index}`);
  const firstName = rng.pick(FIRST_NAMES);
  const lastName = rng.pick(LAST_NAMES);
  const plan = rng.weighted(PLANS);
  const company = plan === 'business' || plan === 'enterprise' ? rng.pick(COMPANIES) : null;
  const first = letters(firstName);
  const last = letters(lastName);
  let email: string;
  if (company) {
    email = `${rng.chance(0.5) ? `${first}.${last}` : `${first[0]}${last}`}@${company.domain}`;
  } else {
    const domain = rng.pick(PERSONAL_EMAIL_DOMAINS);
    const style = rng.int(0, 3);
    const n = rng.int(1, 99);
    email =
      style === 0
        ? `${first}.${last}@${domain}`
        : style === 1
          ? `${first}${last}${n}@${domain}`
          : style === 2
            ? `${first[0]}.${last}@${domain}`
            : `${first}_${n}@${domain}`;
  }
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
