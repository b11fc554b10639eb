import { describe, expect, it } from 'vitest';
import { cleanCustomerText, movesToPrivate, wordCount } from './clean-text.ts';

describe('cleanCustomerText', () => {
  it('keeps the request: greeting, sign-off and the name under it removed', () => {
    expect(
      cleanCustomerText(
        'Where is my order?',
        'Hi,\n\nMy tracking number does not show anything.\n\nThanks for your help!\nVictor',
      ),
    ).toBe('Where is my order? - My tracking number does not show anything.');
    expect(
      cleanCustomerText(
        'Question',
        'Dear customer service,\n\nYour site says my password is wrong.\n\nMany thanks,\nHannah Larsen',
      ),
    ).toBe('Your site says my password is wrong.');
    expect(
      cleanCustomerText(
        null,
        'To whom it may concern,\nI hope you are well.\nHas my order shipped yet?\nMateo',
      ),
    ).toBe('Has my order shipped yet?');
  });

  it('stops at a quoted earlier message and does not repeat a subject the message starts with', () => {
    expect(
      cleanCustomerText(
        'Refund please',
        'Refund please, the kettle broke.\nOn Mon, 2 Mar 2026, Shop <a@b.c> wrote:\n> old text',
      ),
    ).toBe('Refund please, the kettle broke.');
  });

  it('keeps a one-line message as it is', () => {
    expect(cleanCustomerText(null, '@AppleSupport my battery dies by noon since the update')).toBe(
      '@AppleSupport my battery dies by noon since the update',
    );
  });
});

describe('movesToPrivate', () => {
  it('finds replies that send the customer to a private message, and only those', () => {
    for (const reply of [
      'Please DM us your order number.',
      'Can you send us a DM with your address? ^JB',
      'Please meet me back in DM.',
      'Send us a direct message and we will look into it.',
    ])
      expect(movesToPrivate(reply), reply).toBe(true);
    for (const reply of [
      'Here is your reset link.',
      'What model of iPhone do you have?',
      'Admin fees apply.',
    ])
      expect(movesToPrivate(reply), reply).toBe(false);
  });
});

describe('wordCount', () => {
  it('does not count handles and links', () => {
    expect(wordCount('@115 thanks, see https://t.co/x for more')).toBe(4);
  });
});
