import { z } from 'zod';
import { PLAN_TIERS } from '../../demo/shop.ts';

/** The demo shop's records and its operations' inputs and outputs: one schema per shape, types inferred. */

export const ORDER_STATUSES = ['processing', 'shipped', 'delivered', 'cancelled'] as const;
export const ACCOUNT_STATUSES = ['active', 'locked', 'closed'] as const;
export const CURRENCIES = ['USD', 'GBP', 'EUR'] as const;

export const OrderItemSchema = z.object({
  product: z.string(),
  quantity: z.number().int().positive(),
  unitPrice: z.number(),
});

export const OrderSchema = z.object({
  orderNumber: z.string(),
  email: z.string(),
  status: z.enum(ORDER_STATUSES),
  /** ISO 8601 timestamp. */
  placedAt: z.string(),
  items: z.array(OrderItemSchema),
  total: z.number(),
  currency: z.enum(CURRENCIES),
  /** Null until the order ships. */
  carrier: z.string().nullable(),
  trackingNumber: z.string().nullable(),
  trackingUrl: z.string().nullable(),
  /** `YYYY-MM-DD`; null once delivered or cancelled. */
  estimatedDelivery: z.string().nullable(),
  refundedAmount: z.number(),
});
export type Order = z.infer<typeof OrderSchema>;

export const CustomerSchema = z.object({
  customerId: z.string(),
  name: z.string(),
  email: z.string(),
  plan: z.enum(PLAN_TIERS),
  company: z.string().nullable(),
  city: z.string(),
  currency: z.enum(CURRENCIES),
});
export type Customer = z.infer<typeof CustomerSchema>;

export const AccountSchema = z.object({
  email: z.string(),
  customerId: z.string(),
  name: z.string(),
  plan: z.enum(PLAN_TIERS),
  status: z.enum(ACCOUNT_STATUSES),
  /** ISO 8601 timestamp. */
  createdAt: z.string(),
  address: z.string(),
});
export type Account = z.infer<typeof AccountSchema>;

export const InvoiceSchema = z.object({
  invoiceId: z.string(),
  orderNumber: z.string(),
  email: z.string(),
  amount: z.number(),
  currency: z.enum(CURRENCIES),
  /** ISO 8601 timestamp. */
  issuedAt: z.string(),
});
export type Invoice = z.infer<typeof InvoiceSchema>;

/** Workflows fill inputs from templates, so an order number may arrive as a number (`123456`). */
const OrderNumberInput = z.union([
  z.string().trim().min(1),
  z.number().int().nonnegative().transform(String),
]);
const EmailInput = z.string().trim().min(3).includes('@');
/** Amounts from templates arrive as text (`"12.50"`). */
const AmountInput = z
  .union([z.number(), z.string().trim().min(1).transform(Number)])
  .pipe(z.number().positive());

export const demoShopSchemas = {
  getOrder: {
    input: z.object({ orderNumber: OrderNumberInput }),
    output: z.object({ found: z.boolean(), order: OrderSchema.optional() }),
  },
  listOrders: {
    input: z.object({ email: EmailInput }),
    output: z.object({ orders: z.array(OrderSchema), count: z.number().int() }),
  },
  getAccount: {
    input: z.object({ email: EmailInput }),
    output: z.object({ found: z.boolean(), account: AccountSchema.optional() }),
  },
  sendPasswordReset: {
    input: z.object({ email: EmailInput }),
    output: z.object({ sent: z.boolean(), expiresInMinutes: z.number().int() }),
  },
  sendInvoice: {
    input: z.object({ orderNumber: OrderNumberInput, email: EmailInput }),
    output: z.object({ sent: z.boolean(), invoiceId: z.string().optional() }),
  },
  // The email of the person asking: the shop refuses orders that are not theirs (empty when unknown).
  cancelOrder: {
    input: z.object({ orderNumber: OrderNumberInput, email: z.string() }),
    output: z.object({ cancelled: z.boolean(), reason: z.string().optional() }),
  },
  refundOrder: {
    input: z.object({ orderNumber: OrderNumberInput, amount: AmountInput, email: z.string() }),
    output: z.object({
      refunded: z.boolean(),
      refundId: z.string().optional(),
      reason: z.string().optional(),
    }),
  },
  updateAddress: {
    input: z.object({ email: EmailInput, address: z.string().trim().min(5).max(500) }),
    output: z.object({ updated: z.boolean() }),
  },
} as const;

export type DemoShopOperation = keyof typeof demoShopSchemas;
export type DemoShopInput<Op extends DemoShopOperation> = z.output<(typeof demoShopSchemas)[Op]['input']>;
export type DemoShopOutput<Op extends DemoShopOperation> = z.output<(typeof demoShopSchemas)[Op]['output']>;
export const DEMO_SHOP_OPERATIONS = Object.keys(demoShopSchemas) as DemoShopOperation[];
