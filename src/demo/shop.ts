/**
 * The fictional shop behind the demo history: Sable & Bramble, an online homeware store with a paid
 * membership. Every name, address and number here is invented; emails use the reserved `.example` domains.
 */
export const SHOP = {
  name: 'Sable & Bramble',
  supportEmail: 'support@sablebramble.example',
  orderPrefix: 'SB-',
  membership: 'Bramble Club',
} as const;

export const PLAN_TIERS = ['free', 'pro', 'business', 'enterprise'] as const;
export type PlanTier = (typeof PLAN_TIERS)[number];

/** What each plan is called in customers' words, and its monthly fee (enterprise is invoiced). */
export const PLAN_DETAILS: Record<PlanTier, { label: string; monthlyFee: number }> = {
  free: { label: 'free account', monthlyFee: 0 },
  pro: { label: 'Bramble Club Pro', monthlyFee: 9.99 },
  business: { label: 'Bramble Business', monthlyFee: 49 },
  enterprise: { label: 'Enterprise account', monthlyFee: 390 },
};

export const PRODUCTS = [
  'linen duvet cover',
  'stoneware dinner set',
  'ceramic pour-over set',
  'merino throw blanket',
  'oak bedside table',
  'rattan floor lamp',
  'cast iron skillet',
  'bamboo bath mat',
  'wool rug (160x230)',
  'velvet cushion covers',
  'glass storage jars',
  'walnut chopping board',
  'copper kettle',
  'blackout curtains',
  'memory foam pillow',
  'enamel casserole dish',
  'cotton bath towels',
  'wall mirror (round)',
  'desk organiser',
  'scented candle trio',
  'knife block set',
  'waffle bathrobe',
  'plant pot stand',
  'bookshelf (5 tier)',
  'espresso cups',
  'table runner',
  'weighted blanket',
  'standing desk frame',
  'picture frame set',
  'shower curtain',
  'linen napkins',
  'coffee grinder',
  'laundry basket',
  'outdoor string lights',
  'fitted sheet (double)',
  'garden bench cushion',
  'ceramic vase',
  'drinking glasses (set of 6)',
  'kids bunk bed ladder',
  'sofa throw pillows',
] as const;

/** Space-separated, to keep the list compact. */
export const FIRST_NAMES: readonly string[] = (
  'Olivia Liam Amara Noah Priya Mateo Sofia Ethan Aisha Lucas Mia Kenji Chloe Omar Hannah Diego ' +
  'Grace Tomasz Leila Samuel Ines Jacob Yara Daniel Zoe Arjun Emma Kwame Isla Marco Nadia Felix ' +
  'Ruth Hugo Mei Oscar Fatima Leo Clara Tariq Julia Ben Elena Sean Anya Pedro Lily Victor Sara ' +
  'Joel Freya Aaron Naomi Rafael Ava Dmitri Maya Theo Rosa Kofi Alice Ivan Nora Adam Lucia Ryan ' +
  'Eva Hamza Beth Jonas Carmen Paul Ingrid Ali Megan Luis Siobhan Caleb Valentina Raj Helen Kai ' +
  'Bianca Patrick Lena Mohammed Tessa George Yuki Frank Amelia Chidi Laura Stefan Rita Martin ' +
  'Esther Andre Jade'
).split(' ');

/** Space-separated, to keep the list compact. */
export const LAST_NAMES: readonly string[] = (
  'Smith Okafor Garcia Nguyen Patel Kowalski Muller Rossi Tanaka Johnson Silva Haddad Brown Kim ' +
  'Novak Ahmed Walsh Fischer Moreau Lindqvist Mensah Costa Ibrahim Wright Sato Dubois Taylor ' +
  'Popescu Khan Jensen Murphy Chen Lopez Andersen Bianchi Hughes Petrov Adeyemi Martin Yilmaz ' +
  "Evans Santos Nakamura Schmidt Reyes O'Connor Ward Nowak Dawson Ali Bakker Fernandez Clarke " +
  'Volkov Osei Larsen Romano Singh Becker Price Alvarez Holm Mahmoud Bennett Ricci Kaur Turner ' +
  'Jovanovic Ferreira Hall Weber Park Torres Moore Eriksen Lewis Abara Kelly Vargas Stone Richter ' +
  'Baker Cruz Quinn Ortiz Hayes Shah Lund'
).split(' ');

export const PERSONAL_EMAIL_DOMAINS = [
  'example.com',
  'example.net',
  'example.org',
  'mail.example',
  'inbox.example',
  'post.example',
] as const;

/** Business and enterprise customers write from their company's domain. */
export const COMPANIES = [
  { name: 'Harbor Lane Interiors', domain: 'harborlane.example' },
  { name: 'Quill & Pine Cafe', domain: 'quillpine.example' },
  { name: 'Northgate Hotels', domain: 'northgatehotels.example' },
  { name: 'Brightwell Offices', domain: 'brightwell.example' },
  { name: 'Maple Street Studio', domain: 'maplestreet.example' },
  { name: 'Cobalt Coworking', domain: 'cobaltcowork.example' },
  { name: 'Fernhill Holiday Lets', domain: 'fernhill.example' },
  { name: 'Tidewater Dental', domain: 'tidewater.example' },
  { name: 'Juniper Events', domain: 'juniperevents.example' },
  { name: 'Redbrick Property Group', domain: 'redbrick.example' },
  { name: 'Lumen Yoga', domain: 'lumenyoga.example' },
  { name: 'Oakridge School', domain: 'oakridge.example' },
] as const;

/** Space-separated, to keep the list compact. */
export const CITIES: readonly string[] = (
  'Leeds Austin Dublin Lyon Portland Manchester Denver Glasgow Rotterdam Toronto Bristol Madrid ' +
  'Seattle Cardiff Hamburg Boston Milan Brighton Chicago Lisbon'
).split(' ');

export const CARRIERS = ['ParcelPoint', 'NorthPost', 'SwiftShip', 'Bluebird Couriers'] as const;

export const SUPPORT_GROUPS = ['Support', 'Billing', 'Trust & Safety'] as const;
export type SupportGroup = (typeof SUPPORT_GROUPS)[number];

/** Zendesk-style numeric ids for the groups in the JSON Lines output. */
export const GROUP_IDS: Record<SupportGroup, number> = {
  Support: 2401,
  Billing: 2402,
  'Trust & Safety': 2403,
};

/** A support agent of the shop, with a Zendesk-style numeric id. */
export interface DemoAgent {
  id: number;
  name: string;
  email: string;
  group: SupportGroup;
  /** Senior agents take most of the complex tickets. */
  senior: boolean;
  /** Each agent greets and signs the same way every time, as people do. */
  greeting: 'Hi' | 'Hello' | 'Hey' | 'Dear';
  signature: string;
}

const agent = (
  n: number,
  name: string,
  group: SupportGroup,
  senior: boolean,
  greeting: DemoAgent['greeting'],
  signature: string,
): DemoAgent => ({
  id: 4_100_000 + n,
  name,
  email: `${name.split(' ')[0]?.toLowerCase()}@sablebramble.example`,
  group,
  senior,
  greeting,
  signature,
});

/** The twelve agents: eight in Support, two in Billing, two in Trust & Safety. */
export const AGENTS: readonly DemoAgent[] = [
  agent(1, 'Maya Okonkwo', 'Support', true, 'Hi', 'Best,\nMaya\nSable & Bramble Customer Care'),
  agent(2, 'Tom Reilly', 'Support', false, 'Hi', 'Cheers,\nTom'),
  agent(3, 'Priya Raman', 'Support', true, 'Hello', 'Kind regards,\nPriya | Sable & Bramble Support'),
  agent(4, 'Lukas Weber', 'Support', false, 'Hello', 'Regards,\nLukas'),
  agent(5, 'Ana Ferreira', 'Support', false, 'Hi', 'Have a lovely day!\nAna from Sable & Bramble'),
  agent(6, 'Jamal Hussein', 'Support', false, 'Hey', 'Thanks,\nJamal'),
  agent(7, 'Sophie Laurent', 'Support', true, 'Hello', 'Warm wishes,\nSophie\nCustomer Care Team Lead'),
  agent(8, 'Ben Carter', 'Support', false, 'Hi', 'All the best,\nBen'),
  agent(9, 'Hana Sato', 'Billing', true, 'Dear', 'Kind regards,\nHana Sato\nBilling Team'),
  agent(10, 'Marcus Green', 'Billing', false, 'Hi', 'Thanks,\nMarcus, Billing'),
  agent(11, 'Elif Demir', 'Trust & Safety', true, 'Dear', 'Sincerely,\nElif Demir\nTrust & Safety'),
  agent(12, 'Owen Price', 'Trust & Safety', true, 'Hello', 'Regards,\nOwen Price\nTrust & Safety Team'),
];
