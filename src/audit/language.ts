/**
 * The language a ticket is written in, well enough to keep other languages out of English topics: by script
 * for non-Latin writing, by function words for Latin-script languages. Trigram detectors are unsure on short texts:
 * franc-min, tried on the TWCS opening texts, called 157 of 1,285 non-English where about 38 are ("fix your
 * app it won't even open" -> Dutch, "iOS 11 is killing my battery" -> Tagalog); function words are what
 * short texts do have.
 */

export interface Language {
  /** ISO 639-1 code, or 'und' when the text gives no sign (a few emoji, a product name). */
  code: string;
  name: string;
}

const SCRIPTS: [RegExp, Language][] = [
  [/[\u3040-\u30ff]/g, { code: 'ja', name: 'Japanese' }],
  [/[\uac00-\ud7af]/g, { code: 'ko', name: 'Korean' }],
  [/[\u4e00-\u9fff]/g, { code: 'zh', name: 'Chinese' }],
  [/[\u0400-\u04ff]/g, { code: 'ru', name: 'Cyrillic-script' }],
  [/[\u0600-\u06ff]/g, { code: 'ar', name: 'Arabic' }],
  [/[\u0590-\u05ff]/g, { code: 'he', name: 'Hebrew' }],
  [/[\u0e00-\u0e7f]/g, { code: 'th', name: 'Thai' }],
  [/[\u0900-\u097f]/g, { code: 'hi', name: 'Hindi' }],
  [/[\u0370-\u03ff]/g, { code: 'el', name: 'Greek' }],
];

// Frequent words of each language that are not also English words ("die", "pour", "do", "is", "me", "no" are
// left out), so an English text scores next to nothing in them.
const MARKERS: [Language, string][] = [
  [
    { code: 'es', name: 'Spanish' },
    'de la que el los las del por para con una es y pero muy mi tu su está esta estoy tengo hola gracias buenas buenos necesito pueden puedo porque cuando también ayuda ayudar qué cómo se ya sí nos mis sus al ni ese eso esto todo nada favor usted cuenta compré',
  ],
  [
    { code: 'fr', name: 'French' },
    'le la les de des du un une et est je tu il elle nous vous pas dans avec sur qui que ce cette mon ma mes ton sont être avoir ai suis bonjour merci mais où très quelqu quand',
  ],
  [
    { code: 'de', name: 'German' },
    'der das und ist nicht ich mit sie ein eine einen den dem zu auf für von bei sind wie auch kann bitte danke mein meine haben wird noch schon oder aber hallo keine warum beim nur',
  ],
  [
    { code: 'pt', name: 'Portuguese' },
    'de não nao uma com para por você vc obrigado obrigada olá está estou meu minha seu sua isso isto mas muito já tem tenho ao aos pelo pela dos das que os é',
  ],
  [
    { code: 'it', name: 'Italian' },
    'il della che di per non una sono è ho ciao grazie questo questa perché anche con gli nel alla del dei mio mia buongiorno',
  ],
  [
    { code: 'nl', name: 'Dutch' },
    'de het een en van ik niet dat op te je met voor zijn maar ook nog wel geen mijn jullie hoe waarom bedankt hallo alstublieft heb heeft wordt deze dit naar bij uit',
  ],
  [
    { code: 'tr', name: 'Turkish' },
    've bir bu için çok ne mi sen merhaba teşekkürler değil var yok ile ama nasıl neden musun',
  ],
  [
    { code: 'id', name: 'Indonesian or Malay' },
    'saya tidak yang dan ini itu untuk dengan ada bisa sudah tolong terima kasih nak sbb kami anda',
  ],
];
const MARKER_SETS = MARKERS.map(([language, words]) => ({ language, words: new Set(words.split(' ')) }));
const ENGLISH = new Set(
  "the and to of is it my i you your for on in with this that was have not why what how can are be me we do did don't i'm it's at so but just get got will from they there been has had when no a an please thanks help still can't won't doesn't".split(
    ' ',
  ),
);
export const ENGLISH_LANGUAGE: Language = { code: 'en', name: 'English' };
const UNDETERMINED: Language = { code: 'und', name: 'undetermined' };

/**
 * The language of a short text: a non-Latin script when it holds more such letters than Latin ones; else the
 * language whose function words it uses most, if at least two and more than English ones; else English when
 * it has an English function word, and 'und' when it has none of any.
 *
 * @example
 * detectLanguage('me pueden ayudar, no puedo entrar a mi cuenta'); // { code: 'es', name: 'Spanish' }
 * detectLanguage('fix your app it will not even open'); // { code: 'en', name: 'English' }
 */
export function detectLanguage(text: string): Language {
  const clean = text
    .replace(/(^|[^\w])[@#]\w+/g, '$1 ')
    .replace(/https?:\/\/\S+/g, ' ')
    .toLowerCase();
  const latin = (clean.match(/[a-zà-ɏ]/g) ?? []).length;
  for (const [pattern, language] of SCRIPTS) {
    if ((clean.match(pattern) ?? []).length > latin / 2) return language;
  }
  const words = clean.match(/[a-zà-ɏ]+(['’][a-z]+)?/g) ?? [];
  let english = 0;
  for (const w of words) if (ENGLISH.has(w.replace('’', "'"))) english++;
  let best: Language = UNDETERMINED;
  let bestScore = 0;
  for (const { language, words: set } of MARKER_SETS) {
    let score = 0;
    for (const w of words) if (set.has(w)) score++;
    if (score > bestScore) {
      best = language;
      bestScore = score;
    }
  }
  if (bestScore >= 2 && bestScore > english) return best;
  return english > 0 ? ENGLISH_LANGUAGE : UNDETERMINED;
}
