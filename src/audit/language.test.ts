import { describe, expect, it } from 'vitest';
import { detectLanguage } from './language.ts';
import type { DiscoverTopics } from './topic-discovery.ts';
import { discoverByLanguage } from './topics-by-language.ts';

describe('detectLanguage', () => {
  it('keeps short English tweets English (where trigram detectors call them Dutch or French)', () => {
    for (const text of [
      'fix your app it will not even open',
      '@Shop I want my payments account CLOSED. dm me please.',
      'iOS 11 is killing my battery. Fix it.',
      'whats wrong with the delivery, left outside again',
      'can you dm me I have a question',
    ])
      expect(detectLanguage(text).code, text).toBe('en');
  });

  it('finds Latin-script languages by their function words', () => {
    expect(detectLanguage('@Shop me pueden ayudar, no puedo entrar a mi cuenta').code).toBe('es');
    expect(detectLanguage("Bonjour, je n'ai pas reçu ma commande et le suivi est vide").code).toBe('fr');
    expect(detectLanguage('Warum ist es nicht möglich, mit der Karte zu zahlen?').code).toBe('de');
    expect(detectLanguage('Mijn pakket is niet bezorgd en de app werkt ook niet').code).toBe('nl');
    expect(detectLanguage('não consigo entrar na minha conta, você pode ajudar?').code).toBe('pt');
  });

  it('finds other scripts, and says undetermined when a text has no sign of any language', () => {
    expect(detectLanguage('注文した商品が届きません').name).toBe('Japanese');
    expect(detectLanguage('我的账号无法登录').code).toBe('zh');
    expect(detectLanguage('Не могу войти в аккаунт').code).toBe('ru');
    expect(detectLanguage('BOORITO TIME 🎃').code).toBe('und');
  });
});

describe('discoverByLanguage', () => {
  it('clusters the English texts only, and gives each other language with enough texts a topic', () => {
    const texts = [
      'where is my parcel, it has not come',
      'me pueden ayudar con mi cuenta',
      'my parcel is late again',
      'no puedo entrar a mi cuenta de la tienda',
      'la app no funciona y necesito ayuda',
      'mi pedido no ha llegado todavía, por favor',
      'quiero cambiar la dirección de mi pedido',
      'je ne peux pas payer avec ma carte',
      '注文した商品が届きません',
    ];
    const seen: string[][] = [];
    const discover: DiscoverTopics = (english) => {
      seen.push(english);
      return {
        assignments: english.map(() => 0),
        topics: [
          { id: 0, name: 'Where is my parcel?', terms: ['parcel'], size: english.length, representative: 1 },
        ],
      };
    };
    const { assignments, topics } = discoverByLanguage(texts, discover, 1);
    expect(seen).toEqual([[texts[0], texts[2]]]);
    expect(topics.map((t) => [t.id, t.name, t.size])).toEqual([
      [0, 'Where is my parcel?', 2],
      [1, 'Written in Spanish', 5],
      [2, 'Written in other languages', 2],
    ]);
    // The representative indexes the input texts, not the English subset.
    expect(topics[0]!.representative).toBe(2);
    expect(assignments).toEqual([0, 1, 0, 1, 1, 1, 1, 2, 2]);
  });
});
