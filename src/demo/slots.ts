import type { CustomerProfile } from './customers.ts';
import type { Random } from './random.ts';
import { CITIES, COMPANIES, PERSONAL_EMAIL_DOMAINS, PLAN_DETAILS, PRODUCTS, SHOP } from './shop.ts';
import { SLOT, SLOTS, type SlotValues } from './template.ts';
import type { WorldOrder } from './world.ts';

const MONTHS_SHORT = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTHS_LONG = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const CHARGE_DESCRIPTORS = [
  'SABLEBRAMBLE*CLUB',
  'SB CLUB MEMBERSHIP',
  'SABLE&BRAMBLE',
  'SABLEBRAMBLE.EXAMPLE',
];

const ordinal = (n: number) => {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
};

const CENTS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/** The same amount written the way people do in that currency. */
function money(rng: Random, amount: number, currency: CustomerProfile['currency']): string {
  const cents = Math.round(amount * 100);
  const whole = Math.floor(cents / 100);
  const fraction = CENTS[cents % 100] as string;
  const fixed = `${whole}.${fraction}`;
  if (currency === 'USD') return rng.chance(0.9) ? `$${fixed}` : `${fixed} USD`;
  if (currency === 'GBP') return rng.chance(0.9) ? `£${fixed}` : `${fixed} GBP`;
  const style = rng.int(0, 2);
  return style === 0 ? `€${fixed}` : style === 1 ? `${whole},${fraction} €` : `${fixed} EUR`;
}

function dateText(rng: Random, ms: number): string {
  const d = new Date(ms);
  const day = d.getUTCDate();
  const month = d.getUTCMonth();
  switch (rng.int(0, 3)) {
    case 0:
      return `${MONTHS_SHORT[month]} ${day}`;
    case 1:
      return `${day} ${MONTHS_LONG[month]}`;
    case 2:
      return `the ${ordinal(day)}`;
    default:
      return `${MONTHS_LONG[month]} ${day}`;
  }
}

/** A number of `n` digits (n <= 15) with no leading zero, in one draw. */
const digits = (rng: Random, n: number) => {
  const low = 10 ** (n - 1);
  return String(low + Math.floor(rng.next() * 9 * low));
};

/** The slot values of one ticket, plus the facts the generator reuses for tags and fields. */
export interface TicketFacts {
  values: SlotValues;
  orderId: string;
  amount: number;
}

/**
 * Fills every slot once for a ticket: its order (number, date, total, products, carrier and tracking, all from
 * the world's order the ticket is about), amounts, dates and people. `writtenOrder` is the number the customer
 * types when it is not the order's (a misremembered one); the agent's replies keep the real one.
 */
export function ticketFacts(props: {
  rng: Random;
  profile: CustomerProfile;
  order: WorldOrder;
  writtenOrder: string | null;
  agentFirstName: string;
  staffFirstName: string;
}): TicketFacts {
  const { rng, profile, order: worldOrder } = props;
  const { customer, currency } = profile;
  const values: SlotValues = new Array<string>(SLOTS.length).fill('');
  const orderId = worldOrder.orderNumber;
  const number = (props.writtenOrder ?? orderId).slice(SHOP.orderPrefix.length);
  const orderStyle = rng.int(0, 9);
  const order =
    orderStyle < 5
      ? `${SHOP.orderPrefix}${number}`
      : orderStyle < 8
        ? `#${number}`
        : orderStyle === 8
          ? number
          : `no. ${number}`;
  const amount = worldOrder.total;
  const partial = Math.max(1, Math.round(amount * (0.5 + 0.4 * rng.next()) * 100) / 100);
  const fee = PLAN_DETAILS[customer.plan].monthlyFee || 9.99;
  const { carrier } = worldOrder;
  const product = worldOrder.items[0]?.product ?? rng.pick(PRODUCTS);
  let product2: string = worldOrder.items[1]?.product ?? rng.pick(PRODUCTS);
  if (product2 === product)
    product2 = PRODUCTS[((PRODUCTS as readonly string[]).indexOf(product) + 1) % PRODUCTS.length] as string;
  const orderDate = worldOrder.placedAt;
  const otherDomain = rng.pick(PERSONAL_EMAIL_DOMAINS);
  const [localPart] = customer.email.split('@');

  values[SLOT.first] = customer.firstName;
  values[SLOT.name] = customer.name;
  values[SLOT.email] = customer.email;
  values[SLOT.newEmail] = `${localPart}.new@${otherDomain}`;
  values[SLOT.order] = order;
  values[SLOT.orderId] = orderId;
  values[SLOT.product] = product;
  values[SLOT.product2] = product2;
  values[SLOT.amount] = money(rng, amount, currency);
  values[SLOT.amount2] = money(rng, partial, currency);
  values[SLOT.fee] = money(rng, fee, currency);
  values[SLOT.date] = dateText(rng, orderDate);
  values[SLOT.days] = String(rng.int(3, 16));
  values[SLOT.carrier] = carrier;
  values[SLOT.tracking] = worldOrder.trackingNumber;
  values[SLOT.plan] = PLAN_DETAILS[customer.plan].label;
  values[SLOT.membership] = SHOP.membership;
  values[SLOT.shop] = SHOP.name;
  values[SLOT.charge] = rng.pick(CHARGE_DESCRIPTORS);
  values[SLOT.last4] = String(rng.int(0, 9999)).padStart(4, '0');
  values[SLOT.city] = rng.pick(CITIES);
  values[SLOT.agent] = props.agentFirstName;
  values[SLOT.staff] = props.staffFirstName;
  values[SLOT.company] = customer.company ?? rng.pick(COMPANIES).name;
  values[SLOT.qty] = String(rng.int(2, 5));
  values[SLOT.invoice] = worldOrder.invoiceId ?? `INV-${digits(rng, 7)}`;
  values[SLOT.ref] = `CR-${digits(rng, 6)}`;
  return { values, orderId, amount };
}
