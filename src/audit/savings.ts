import { z } from 'zod';

/**
 * What an hour of an agent costs and how many hours one agent works in a month: the settings that turn hours
 * saved into people and money. The defaults are stated on every report; `switchboard audit --agent-hour-cost
 * --hours-per-agent-month --currency` change them.
 */
export const CostSettingsSchema = z.object({
  /** Fully loaded cost of one agent hour (pay, taxes, tools, management). */
  agentHourCost: z.number().positive(),
  /** Hours one full-time agent spends on tickets in a month (about 160 paid, less breaks, meetings, training). */
  hoursPerAgentMonth: z.number().positive(),
  /** Currency code the cost is in; only shown. */
  currency: z.string().min(1).max(8),
});
export type CostSettings = z.infer<typeof CostSettingsSchema>;

export const DEFAULT_COSTS: CostSettings = { agentHourCost: 35, hoursPerAgentMonth: 140, currency: 'USD' };

/** Hours saved a month as full-time agents and money. */
export interface Savings {
  hoursPerMonth: number;
  /** Full-time equivalents: hours / hoursPerAgentMonth. */
  agents: number;
  costPerMonth: number;
}

export const SavingsSchema = z.object({
  hoursPerMonth: z.number(),
  agents: z.number(),
  costPerMonth: z.number(),
});

/**
 * @example
 * savingsOf(70, DEFAULT_COSTS); // { hoursPerMonth: 70, agents: 0.5, costPerMonth: 2450 }
 */
export function savingsOf(hoursPerMonth: number, costs: CostSettings): Savings {
  return {
    hoursPerMonth: Math.round(hoursPerMonth * 10) / 10,
    agents: Math.round((hoursPerMonth / costs.hoursPerAgentMonth) * 100) / 100,
    costPerMonth: Math.round(hoursPerMonth * costs.agentHourCost),
  };
}
