import { randomBytes } from 'node:crypto';
import type { People } from '../access/index.ts';
import type { ConversationService } from '../conversations/index.ts';
import type { CustomerProfile } from '../domain/index.ts';
import type { Store } from '../store/index.ts';

/** The demo's agent: a lead, so the corrections page is theirs too. */
export const DEMO_AGENT_EMAIL = 'demo.agent@example.com';

/** Conversations waiting in the demo inbox: what a customer said, and who they are. */
const WAITING: ReadonlyArray<{ id: string; customer: CustomerProfile; messages: string[] }> = [
  {
    id: 'demo-inbox-1',
    customer: { name: 'Priya Natarajan', email: 'priya.natarajan@example.org', attributes: { plan: 'pro' } },
    messages: ['My parcel arrived damaged and I want to talk to a person about it'],
  },
  {
    id: 'demo-inbox-2',
    customer: { name: 'Tomás Herrera', email: 'tomas.herrera@example.net', attributes: {} },
    messages: ['Can you tell me the status of my order?', 'This is useless, I want a human now'],
  },
];

/**
 * The demo's inbox, ready to try: the demo agent's account with a fresh password (shown once, by the caller), and
 * a few escalated conversations waiting (played through the deployment's own runtime, so their handoff packets are
 * real; written once, kept on later runs). Only `switchboard start` (the demo deployment) calls it.
 *
 * @example
 * const { email, password } = await prepareDemoInbox({ people, store, conversations, drain: () => runner.drain() });
 */
export async function prepareDemoInbox(props: {
  people: People;
  store: Store;
  conversations: ConversationService;
  /** Runs the queued jobs (the turns) to the end. */
  drain: () => Promise<unknown>;
}): Promise<{ email: string; password: string; waiting: number }> {
  const password = randomBytes(12).toString('base64url');
  const existing = await props.store.findUser({ email: DEMO_AGENT_EMAIL });
  if (existing) await props.people.setPassword({ userId: existing.id, password });
  else
    await props.people.addUser({
      email: DEMO_AGENT_EMAIL,
      name: 'Demo Agent',
      role: 'lead',
      password,
      by: 'start',
    });

  for (const conversation of WAITING) {
    if (await props.store.findConversation(conversation.id)) continue;
    await props.conversations.start({
      id: conversation.id,
      customer: conversation.customer,
      channel: 'demo',
    });
    for (const [i, text] of conversation.messages.entries()) {
      await props.conversations.receive({
        conversationId: conversation.id,
        text,
        idempotencyKey: `demo-${i}`,
      });
      await props.drain();
    }
  }
  const waiting = (await props.store.listConversations({ owner: 'human', status: 'escalated', limit: 100 }))
    .conversations.length;
  return { email: DEMO_AGENT_EMAIL, password, waiting };
}
