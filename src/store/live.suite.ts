import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from './store.ts';
import { aCustomerProfile, anAnalysis, T0 } from './test-builders.ts';

const TEXT = `Robert'); DROP TABLE conversation_messages;-- "quoted" \u00e9\u4e2d\u{1F600}\n\tnew line`;

/**
 * The live half of the store suite, run against every implementation: customer messages received before their
 * turn, bot lines with their kind and choices, feedback, versioned models and indexes, API keys.
 */
export function liveSuite(name: string, open: () => Promise<Store>, cleanup?: () => Promise<void>): void {
  describe(`live suite: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
      await store.createConversation({ id: 'c1', customer: aCustomerProfile(), channel: 'widget', at: T0 });
    });
    afterEach(async () => {
      await store.close();
      await cleanup?.();
    });

    it('receives a customer message as pending, then a turn marks it handled with its analysis', async () => {
      const { message, duplicate } = await store.receiveMessage({
        conversationId: 'c1',
        text: TEXT,
        at: T0 + 10,
        idempotencyKey: 'key-1',
      });
      expect(duplicate).toBe(false);
      expect(message).toMatchObject({ seq: 0, role: 'customer', text: TEXT, at: T0 + 10, pending: true });
      expect((await store.findConversation('c1'))?.revision).toBe(0);
      expect((await store.pendingMessages('c1')).map((m) => m.text)).toEqual([TEXT]);
      expect(await store.conversationsWithPendingMessages({ receivedBefore: T0 + 11, limit: 10 })).toEqual([
        'c1',
      ]);
      expect(await store.conversationsWithPendingMessages({ receivedBefore: T0 + 10, limit: 10 })).toEqual(
        [],
      );

      await store.recordTurn({
        conversationId: 'c1',
        expectedRevision: 0,
        handled: [{ seq: 0, analysis: anAnalysis(TEXT) }],
        messages: [
          {
            role: 'bot',
            text: 'Which order?\n1. SB-1\n2. SB-2',
            at: T0 + 20,
            stepId: 'choose',
            kind: 'ask',
            choices: ['SB-1', 'SB-2'],
          },
        ],
        at: T0 + 20,
      });
      expect(await store.pendingMessages('c1')).toEqual([]);
      const messages = await store.listConversationMessages({ conversationId: 'c1' });
      expect(messages.map((m) => ({ ...m, id: 0 }))).toEqual([
        {
          id: 0,
          seq: 0,
          role: 'customer',
          text: TEXT,
          at: T0 + 10,
          analysis: anAnalysis(TEXT),
          idempotencyKey: 'key-1',
        },
        {
          id: 0,
          seq: 1,
          role: 'bot',
          text: 'Which order?\n1. SB-1\n2. SB-2',
          at: T0 + 20,
          stepId: 'choose',
          kind: 'ask',
          choices: ['SB-1', 'SB-2'],
        },
      ]);
      expect(await store.listConversationMessages({ conversationId: 'c1', afterSeq: 0 })).toHaveLength(1);
      expect(
        (await store.listConversationMessages({ conversationId: 'c1', seqs: [1] })).map((m) => m.seq),
      ).toEqual([1]);
      const events = await store.listEvents({ limit: 100, conversationId: 'c1' });
      expect(events.map((e) => [e.type, e.payload.seqs ?? null])).toEqual([
        ['conversation.started', null],
        ['conversation.messages', [0]],
        ['conversation.messages', [1]],
      ]);
      expect(JSON.stringify(events)).not.toContain('DROP TABLE');
    });

    it('takes a retried message once, and refuses its key for another text', async () => {
      const first = await store.receiveMessage({
        conversationId: 'c1',
        text: 'hi',
        at: T0,
        idempotencyKey: 'k',
      });
      const again = await store.receiveMessage({
        conversationId: 'c1',
        text: 'hi',
        at: T0 + 5,
        idempotencyKey: 'k',
      });
      expect(again.duplicate).toBe(true);
      expect(again.message).toEqual(first.message);
      await expect(
        store.receiveMessage({ conversationId: 'c1', text: 'other', at: T0, idempotencyKey: 'k' }),
      ).rejects.toMatchObject({ kind: 'user', code: 'conversation.idempotency_key_reused' });
      // The same key in another conversation is another message.
      await store.createConversation({ id: 'c2', customer: aCustomerProfile(), channel: 'widget', at: T0 });
      expect(
        (await store.receiveMessage({ conversationId: 'c2', text: 'x', at: T0, idempotencyKey: 'k' }))
          .duplicate,
      ).toBe(false);
      expect(await store.listConversationMessages({ conversationId: 'c1' })).toHaveLength(1);
      await expect(store.receiveMessage({ conversationId: 'nope', text: 'x', at: T0 })).rejects.toMatchObject(
        { code: 'conversation.not_found' },
      );
    });

    it('returns the first conversation for a retried start, and keeps the token hash', async () => {
      const input = {
        id: 'c3',
        customer: aCustomerProfile(),
        channel: 'api',
        at: T0,
        tokenHash: 'ab'.repeat(32),
        idempotencyKey: 'key:start-1',
      };
      const first = await store.createConversation(input);
      expect(first.tokenHash).toBe('ab'.repeat(32));
      expect(await store.createConversation({ ...input, id: 'c4', at: T0 + 1 })).toEqual(first);
      await store.setConversationTokenHash({ conversationId: 'c3', tokenHash: 'cd'.repeat(32) });
      expect((await store.findConversation('c3'))?.tokenHash).toBe('cd'.repeat(32));
      await expect(
        store.setConversationTokenHash({ conversationId: 'nope', tokenHash: 'cd'.repeat(32) }),
      ).rejects.toMatchObject({ code: 'conversation.not_found' });
      await expect(store.createConversation({ ...input, idempotencyKey: 'key:other' })).rejects.toMatchObject(
        { code: 'conversation.exists' },
      );
    });

    it('stores feedback with an event that carries no comment', async () => {
      const stored = await store.recordFeedback({
        conversationId: 'c1',
        resolved: false,
        comment: TEXT,
        source: 'widget',
        at: T0 + 50,
      });
      expect(stored).toMatchObject({ conversationId: 'c1', resolved: false, rating: null, comment: TEXT });
      await store.recordFeedback({ conversationId: 'c1', rating: 5, source: 'api', at: T0 + 60 });
      const all = await store.listFeedback({ conversationId: 'c1' });
      expect(all.map((f) => [f.resolved, f.rating])).toEqual([
        [false, null],
        [null, 5],
      ]);
      const events = await store.listEvents({ limit: 100, type: 'conversation.feedback' });
      expect(events.map((e) => e.payload)).toEqual([
        { feedbackId: stored.id, resolved: false, rating: null, hasComment: true, source: 'widget' },
        { feedbackId: all[1]!.id, resolved: null, rating: 5, hasComment: false, source: 'api' },
      ]);
      await expect(
        store.recordFeedback({ conversationId: 'c1', rating: 9, source: 'api', at: T0 }),
      ).rejects.toMatchObject({ code: 'feedback.bad_rating' });
      await expect(
        store.recordFeedback({ conversationId: 'nope', resolved: true, source: 'api', at: T0 }),
      ).rejects.toMatchObject({ code: 'conversation.not_found' });
    });

    it('versions models: new content a new version, the same content the same version, one active', async () => {
      expect(await store.getArtifact('nlu-model', 'active')).toBeUndefined();
      const v1 = await store.saveArtifact({
        kind: 'nlu-model',
        content: '{"a":1}',
        by: 'cli',
        note: 'first',
        activate: true,
        at: T0,
      });
      expect(v1).toMatchObject({ kind: 'nlu-model', version: 1, bytes: 7, active: true, note: 'first' });
      const v2 = await store.saveArtifact({
        kind: 'nlu-model',
        content: '{"a":2}',
        by: 'cli',
        activate: false,
        at: T0 + 1,
      });
      expect(v2).toMatchObject({ version: 2, active: false });
      const same = await store.saveArtifact({
        kind: 'nlu-model',
        content: '{"a":2}',
        by: 'cli',
        activate: false,
        at: T0 + 2,
      });
      expect(same.version).toBe(2);
      expect(await store.activeArtifacts()).toEqual({ 'nlu-model': 1 });
      expect((await store.getArtifact('nlu-model', 'active'))?.content).toBe('{"a":1}');
      expect(
        await store.activateArtifact({ kind: 'nlu-model', version: 2, by: 'lead', at: T0 + 3 }),
      ).toMatchObject({
        version: 2,
        active: true,
      });
      expect(await store.activeArtifacts()).toEqual({ 'nlu-model': 2 });
      expect((await store.listArtifacts('nlu-model')).map((a) => [a.version, a.active])).toEqual([
        [2, true],
        [1, false],
      ]);
      expect(await store.listArtifacts('kb-index')).toEqual([]);
      await expect(
        store.activateArtifact({ kind: 'nlu-model', version: 7, by: 'lead', at: T0 }),
      ).rejects.toMatchObject({ kind: 'user', code: 'artifact.not_found' });
      const events = await store.listEvents({ limit: 100 });
      expect(
        events.filter((e) => e.type.startsWith('artifact.')).map((e) => [e.type, e.payload.version]),
      ).toEqual([
        ['artifact.saved', 1],
        ['artifact.activated', 1],
        ['artifact.saved', 2],
        ['artifact.activated', 2],
      ]);
    });

    it('keeps API keys by id with only their hash, and revokes them once', async () => {
      const key = await store.createApiKey({
        id: 'k1',
        name: 'web',
        scopes: ['widget'],
        secretHash: 'f'.repeat(64),
        publishable: true,
        origins: ['https://shop.example'],
        at: T0,
        by: 'cli',
      });
      expect(key).toEqual({
        id: 'k1',
        name: 'web',
        scopes: ['widget'],
        secretHash: 'f'.repeat(64),
        publishable: true,
        origins: ['https://shop.example'],
        identitySecret: null,
        publishableKey: null,
        createdAt: T0,
        revokedAt: null,
      });
      expect(await store.findApiKey('k1')).toEqual(key);
      expect(await store.findApiKey('k2')).toBeUndefined();
      const revoked = await store.revokeApiKey({ id: 'k1', by: 'cli', at: T0 + 5 });
      expect(revoked?.revokedAt).toBe(T0 + 5);
      expect((await store.revokeApiKey({ id: 'k1', by: 'cli', at: T0 + 9 }))?.revokedAt).toBe(T0 + 5);
      expect(await store.revokeApiKey({ id: 'k2', by: 'cli', at: T0 })).toBeUndefined();
      expect((await store.listApiKeys()).map((k) => k.id)).toEqual(['k1']);
      const types = (await store.listEvents({ limit: 100 })).map((e) => e.type);
      expect(types.filter((t) => t.startsWith('api_key.'))).toEqual(['api_key.created', 'api_key.revoked']);
    });

    it('keeps accounts by lower-cased email, refuses a second one, and lists them', async () => {
      const ana = await store.createUser({
        id: 'u_ana',
        email: ' Ana@Shop.Example ',
        name: TEXT,
        role: 'agent',
        passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
        by: 'cli',
        at: T0,
      });
      expect(ana).toMatchObject({ email: 'ana@shop.example', name: TEXT, role: 'agent', disabledAt: null });
      expect(await store.findUser({ email: 'ANA@shop.example' })).toEqual(ana);
      expect(await store.findUser({ id: 'u_ana' })).toEqual(ana);
      await expect(
        store.createUser({
          id: 'u_2',
          email: 'ana@shop.example',
          role: 'lead',
          passwordHash: null,
          by: 'cli',
          at: T0,
        }),
      ).rejects.toMatchObject({ kind: 'user', code: 'user.exists' });
      await store.createUser({
        id: 'u_bo',
        email: 'bo@shop.example',
        role: 'admin',
        passwordHash: null,
        by: 'cli',
        at: T0 + 1,
      });
      expect((await store.listUsers()).map((u) => u.id)).toEqual(['u_ana', 'u_bo']);
      await store.setUserPassword({ userId: 'u_bo', passwordHash: 'h2' });
      expect((await store.findUser({ id: 'u_bo' }))?.passwordHash).toBe('h2');
    });

    it('finds a live session with its user, not an expired one or a disabled user’s, and logs out everywhere', async () => {
      await store.createUser({
        id: 'u_ana',
        email: 'ana@shop.example',
        role: 'agent',
        passwordHash: 'h',
        by: 'cli',
        at: T0,
      });
      await store.createSession({ idHash: 's1', userId: 'u_ana', at: T0, expiresAt: T0 + 1000 });
      await store.createSession({ idHash: 's2', userId: 'u_ana', at: T0, expiresAt: T0 + 1000 });
      const found = await store.findSession({ idHash: 's1', at: T0 + 500 });
      expect(found?.user.id).toBe('u_ana');
      expect(found?.session).toMatchObject({ idHash: 's1', userId: 'u_ana', expiresAt: T0 + 1000 });
      expect(await store.findSession({ idHash: 's1', at: T0 + 1000 })).toBeUndefined();
      expect(await store.findSession({ idHash: 'nope', at: T0 })).toBeUndefined();
      expect(await store.deleteSessions({ idHash: 's1' })).toBe(1);
      expect(await store.findSession({ idHash: 's1', at: T0 })).toBeUndefined();
      await store.createSession({ idHash: 's3', userId: 'u_ana', at: T0, expiresAt: T0 + 1000 });
      expect(await store.deleteSessions({ userId: 'u_ana' })).toBe(2);
      await store.createSession({ idHash: 's4', userId: 'u_ana', at: T0, expiresAt: T0 + 1000 });
      const disabled = await store.setUserDisabled({ userId: 'u_ana', disabled: true, at: T0 + 5 });
      expect(disabled?.disabledAt).toBe(T0 + 5);
      expect(await store.findSession({ idHash: 's4', at: T0 + 6 })).toBeUndefined();
      expect(await store.setUserDisabled({ userId: 'nobody', disabled: true, at: T0 })).toBeUndefined();
    });

    it('uses an invitation once, and never an expired one', async () => {
      await store.createUser({
        id: 'u_cy',
        email: 'cy@shop.example',
        role: 'lead',
        passwordHash: null,
        by: 'cli',
        at: T0,
      });
      await store.createInvitation({ tokenHash: 'i1', userId: 'u_cy', at: T0, expiresAt: T0 + 1000 });
      await store.createInvitation({ tokenHash: 'i2', userId: 'u_cy', at: T0, expiresAt: T0 + 1000 });
      expect(
        await store.acceptInvitation({ tokenHash: 'i2', passwordHash: 'late', at: T0 + 1000 }),
      ).toBeUndefined();
      const accepted = await store.acceptInvitation({ tokenHash: 'i1', passwordHash: 'chosen', at: T0 + 10 });
      expect(accepted).toMatchObject({ id: 'u_cy', passwordHash: 'chosen' });
      expect(
        await store.acceptInvitation({ tokenHash: 'i1', passwordHash: 'again', at: T0 + 20 }),
      ).toBeUndefined();
      expect((await store.findUser({ id: 'u_cy' }))?.passwordHash).toBe('chosen');
    });

    it('locks a key after too many failed sign-ins in a window, until the lock ends, and starts over after', async () => {
      const fail = (at: number) =>
        store.recordLoginFailure({
          key: 'email:ana@shop.example',
          at,
          limit: 3,
          windowMs: 60_000,
          lockMs: 300_000,
        });
      expect(await fail(T0)).toEqual({ failures: 1, lockedUntil: null });
      expect(await fail(T0 + 1000)).toEqual({ failures: 2, lockedUntil: null });
      expect(await fail(T0 + 2000)).toEqual({ failures: 3, lockedUntil: T0 + 302_000 });
      expect(await store.loginLockedUntil({ key: 'email:ana@shop.example', at: T0 + 3000 })).toBe(
        T0 + 302_000,
      );
      expect(await store.loginLockedUntil({ key: 'email:ana@shop.example', at: T0 + 302_000 })).toBeNull();
      expect(await store.loginLockedUntil({ key: 'email:other', at: T0 })).toBeNull();
      // A new window once the old one is over.
      expect(await fail(T0 + 400_000)).toEqual({ failures: 1, lockedUntil: null });
      await store.clearLoginFailures('email:ana@shop.example');
      expect(await fail(T0 + 400_001)).toEqual({ failures: 1, lockedUntil: null });
    });

    it('refuses a change decided on a revision that is no longer the conversation’s', async () => {
      const read = await store.findConversation('c1');
      await store.changeConversation({ conversationId: 'c1', owner: 'human', by: 'agent:a', at: T0 + 1 });
      await expect(
        store.changeConversation({
          conversationId: 'c1',
          expectedRevision: read?.revision ?? 0,
          events: [{ type: 'conversation.assigned', payload: { to: 'u_b' } }],
          by: 'agent:b',
          at: T0 + 2,
        }),
      ).rejects.toMatchObject({ code: 'conversation.conflict' });
      expect(await store.listEvents({ limit: 10, type: 'conversation.assigned' })).toEqual([]);
    });
    it('appends pilot events, lists them in order apart from other events, and announces them as settings', async () => {
      expect(await store.lastPilotEventId()).toBe(0);
      expect(await store.listPilotEvents()).toEqual([]);
      const heard: unknown[] = [];
      const stop = store.changes.subscribe((change) => {
        if (change.topic === 'settings') heard.push(change.id);
      });
      const after = { mode: 'shadow', segments: ['vip'], channels: [], categories: [], percent: 25 };
      const changed = await store.appendPilotEvent({
        type: 'pilot.changed',
        payload: { workflowId: 'refund', before: null, after, by: 'user:ana', why: 'first pilot' },
        at: T0 + 1,
      });
      // Another kind of event in between is not a pilot event.
      await store.recordFeedback({ conversationId: 'c1', resolved: true, source: 'widget', at: T0 + 2 });
      const killed = await store.appendPilotEvent({
        type: 'automation.killed',
        payload: { workflowId: null, by: 'cli', why: 'carrier outage' },
        at: T0 + 3,
      });
      stop();
      expect(changed).toMatchObject({ type: 'pilot.changed', at: T0 + 1, conversationId: null });
      expect(changed.payload).toEqual({
        workflowId: 'refund',
        before: null,
        after,
        by: 'user:ana',
        why: 'first pilot',
      });
      const all = await store.listPilotEvents();
      expect(all.map((e) => [e.id, e.type, e.at])).toEqual([
        [changed.id, 'pilot.changed', T0 + 1],
        [killed.id, 'automation.killed', T0 + 3],
      ]);
      expect(all[1]?.payload).toEqual({ workflowId: null, by: 'cli', why: 'carrier outage' });
      expect((await store.listPilotEvents({ afterId: changed.id })).map((e) => e.id)).toEqual([killed.id]);
      expect(await store.lastPilotEventId()).toBe(killed.id);
      // Heard at once in this process (PostgreSQL: again when its own NOTIFY comes back: a change may arrive twice).
      expect([...new Set(heard)]).toEqual(['refund', null]);
      // The log keeps them like any other event.
      expect((await store.listEvents({ limit: 10, type: 'automation.killed' })).map((e) => e.id)).toEqual([
        killed.id,
      ]);
    });
  });
}
