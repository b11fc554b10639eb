import { seededRandom } from '../shared/random.ts';

/**
 * Everyday messages of other domains (weather, cooking, music, sport, trivia, small talk...) that no support
 * workflow handles: out-of-scope examples for a deployment whose history has too few of its own. Written here as
 * templates and word lists, filled by a seeded generator, so the same seed gives the same texts and nothing of a
 * public data set is in the repository. Each text carries its domain as its group: training holds a domain out
 * whole when it estimates how often foreign messages get through (see `LabelledText.group`).
 *
 * What it is not: a picture of any one deployment's foreign traffic. Its domains stay away from what support
 * teams handle (orders, payments, accounts, deliveries, bookings); a deployment whose own business is one of them
 * (a recipe site's support, say) leaves it out with `background: false` or its own list.
 *
 * @example
 * generateBackgroundTexts({ seed: 1, count: 3 });
 * // [{ text: 'will it rain in lisbon tomorrow', group: 'weather' }, ...]
 */
export interface BackgroundText {
  text: string;
  group: string;
}

type Slots = Record<string, readonly string[]>;

interface Domain {
  name: string;
  templates: readonly string[];
}

const SLOTS: Slots = {
  city: [
    'lisbon',
    'paris',
    'tokyo',
    'chicago',
    'nairobi',
    'sydney',
    'toronto',
    'berlin',
    'mumbai',
    'lima',
    'oslo',
    'cairo',
    'seoul',
    'dublin',
    'austin',
    'manila',
    'rome',
    'denver',
    'cape town',
    'glasgow',
  ],
  day: [
    'today',
    'tomorrow',
    'tonight',
    'this weekend',
    'on saturday',
    'next week',
    'this afternoon',
    'on monday',
  ],
  dish: [
    'lasagna',
    'banana bread',
    'pad thai',
    'risotto',
    'chili',
    'pancakes',
    'a sourdough loaf',
    'guacamole',
    'chicken curry',
    'french onion soup',
    'brownies',
    'paella',
    'falafel',
    'a caesar salad',
    'ramen',
  ],
  ingredient: [
    'eggs',
    'butter',
    'buttermilk',
    'cilantro',
    'baking soda',
    'heavy cream',
    'brown sugar',
    'shallots',
    'yeast',
    'tahini',
    'coconut milk',
    'parmesan',
    'fresh basil',
  ],
  artist: [
    'the beatles',
    'beyonce',
    'miles davis',
    'taylor swift',
    'bob marley',
    'adele',
    'radiohead',
    'mozart',
    'kendrick lamar',
    'fleetwood mac',
    'nina simone',
    'daft punk',
  ],
  genre: [
    'jazz',
    'lo-fi beats',
    'classical music',
    'eighties rock',
    'country',
    'reggae',
    'techno',
    'bossa nova',
  ],
  team: [
    'the lakers',
    'real madrid',
    'the yankees',
    'manchester united',
    'the all blacks',
    'the chiefs',
    'boca juniors',
    'the celtics',
    'juventus',
    'the red sox',
  ],
  sport: [
    'football',
    'tennis',
    'cricket',
    'basketball',
    'the marathon',
    'formula one',
    'rugby',
    'golf',
    'baseball',
  ],
  country: [
    'peru',
    'norway',
    'vietnam',
    'kenya',
    'iceland',
    'portugal',
    'mongolia',
    'chile',
    'morocco',
    'new zealand',
    'canada',
    'greece',
  ],
  thing: [
    'the moon',
    'a black hole',
    'photosynthesis',
    'the eiffel tower',
    'the great wall of china',
    'a rainbow',
    'gravity',
    'a volcano',
    'the pyramids',
    'dinosaurs',
    'the northern lights',
    'a tsunami',
  ],
  person: [
    'albert einstein',
    'cleopatra',
    'frida kahlo',
    'nelson mandela',
    'marie curie',
    'shakespeare',
    'napoleon',
    'ada lovelace',
    'leonardo da vinci',
    'gandhi',
  ],
  word: [
    'serendipity',
    'ephemeral',
    'ubiquitous',
    'quixotic',
    'melancholy',
    'gregarious',
    'ineffable',
    'sonder',
  ],
  language: [
    'spanish',
    'french',
    'japanese',
    'german',
    'italian',
    'korean',
    'portuguese',
    'swahili',
    'dutch',
  ],
  phrase: [
    'good morning',
    'thank you very much',
    'where is the train station',
    'i love you',
    'see you later',
  ],
  time: ['6 am', '7:30', 'half past eight', 'noon', '9 pm', '5:45 tomorrow morning', '10 minutes', 'an hour'],
  number: ['17', '243', '12', '3.5', '1,250', '64', '98', '7'],
  animal: ['my cat', 'my dog', 'a parrot', 'my hamster', 'a goldfish', 'my rabbit', 'a tortoise', 'my puppy'],
  plant: [
    'tomatoes',
    'a fiddle leaf fig',
    'basil',
    'roses',
    'succulents',
    'an orchid',
    'lavender',
    'a lemon tree',
  ],
  movie: [
    'the godfather',
    'spirited away',
    'jurassic park',
    'casablanca',
    'the matrix',
    'amelie',
    'toy story',
    'parasite',
    'the lion king',
    'inception',
  ],
  book: ['moby dick', 'pride and prejudice', 'dune', 'the hobbit', '1984', 'beloved', 'the little prince'],
  exercise: ['push-ups', 'squats', 'yoga', 'running', 'swimming', 'pilates', 'stretching', 'cycling'],
  room: ['living room', 'kitchen', 'bedroom', 'hallway', 'garage', 'office', 'bathroom'],
  device: [
    'the lights',
    'the heating',
    'the fan',
    'the tv',
    'the speaker',
    'the air conditioning',
    'the lamp',
  ],
  gadget: [
    'my phone',
    'my headphones',
    'my laptop',
    'my tablet',
    'my smartwatch',
    'my earbuds',
    'the printer',
    'my e-reader',
    'the car stereo',
  ],
  app: ['my calendar', 'my contacts', 'my photos', 'my playlists', 'my notes', 'my emails', 'the maps app'],
  holiday: ['christmas', 'diwali', 'halloween', 'new year', 'easter', 'thanksgiving', 'lunar new year'],
  subject: ['algebra', 'the french revolution', 'chemistry', 'the solar system', 'world war one', 'genetics'],
};

const DOMAINS: readonly Domain[] = [
  {
    name: 'weather',
    templates: [
      'will it rain in {city} {day}',
      "what's the weather like in {city}",
      'do i need an umbrella {day}',
      'how hot will it get {day}',
      'is it going to snow {day}',
      'weather forecast for {city} {day}',
      'what is the temperature outside',
      'will it be windy {day} in {city}',
      'is it sunny in {city} right now',
    ],
  },
  {
    name: 'cooking',
    templates: [
      'how do i make {dish}',
      'give me a recipe for {dish}',
      'what can i use instead of {ingredient}',
      'how long do i bake {dish}',
      'what goes well with {dish}',
      'can i freeze {dish}',
      'how many calories are in {dish}',
      'what should i cook for dinner tonight',
      'is {ingredient} gluten free',
      'how do you keep {ingredient} fresh longer',
    ],
  },
  {
    name: 'music',
    templates: [
      'play some {genre}',
      'put on {artist}',
      'who sings this song',
      'skip this track',
      'turn the music up',
      "what's the name of that {artist} song about love",
      'recommend something like {artist}',
      'play my workout playlist',
      'when did {artist} release their first album',
      'add this song to my favourites',
    ],
  },
  {
    name: 'sport',
    templates: [
      'did {team} win last night',
      "what's the score of the {team} game",
      'when does {team} play next',
      'who won the {sport} final',
      'explain the offside rule in {sport}',
      'how long is a {sport} match',
      'who is the best {sport} player of all time',
      'what channel is the {sport} on {day}',
    ],
  },
  {
    name: 'trivia',
    templates: [
      'how far away is {thing}',
      'how old is {thing}',
      'who was {person}',
      'when was {person} born',
      'what is the capital of {country}',
      'how many people live in {country}',
      'why is the sky blue',
      'what language do they speak in {country}',
      'tell me a fun fact about {thing}',
      'how tall is {thing}',
      'what did {person} invent',
    ],
  },
  {
    name: 'science',
    templates: [
      'how does {thing} work',
      'explain {subject} to a child',
      'what causes {thing}',
      'why do cats purr',
      'how many planets are there',
      'what is the speed of light',
      'can you help me understand {subject}',
      'is pluto a planet',
    ],
  },
  {
    name: 'language',
    templates: [
      'how do you say {phrase} in {language}',
      'translate {phrase} into {language}',
      'what does {word} mean',
      'how do you spell {word}',
      'give me a synonym for {word}',
      'is it affect or effect',
      'what rhymes with orange',
      'use {word} in a sentence',
    ],
  },
  {
    name: 'small talk',
    templates: [
      'how are you today',
      'tell me a joke',
      'are you a robot',
      'what is your favourite colour',
      'do you like {genre}',
      "what's the meaning of life",
      'you are funny',
      'good night',
      'i am bored',
      'what do you do for fun',
      'do you dream',
      'sing me a song',
    ],
  },
  {
    name: 'timers',
    templates: [
      'set an alarm for {time}',
      'set a timer for {time}',
      'wake me up at {time}',
      'cancel my {time} alarm',
      'remind me to call mum at {time}',
      'how much time is left on the timer',
      'snooze the alarm',
      'what time is it in {city}',
    ],
  },
  {
    name: 'smart home',
    templates: [
      'turn off {device} in the {room}',
      'dim {device}',
      'switch on {device}',
      'set the heating to 21 degrees',
      'is the front door locked',
      'turn {device} on in the {room} at {time}',
      'make the {room} warmer',
    ],
  },
  {
    name: 'phones and gadgets',
    templates: [
      'pair {gadget} with {gadget}',
      'connect {gadget} to bluetooth',
      'sync {app} with {gadget}',
      'stop syncing {app} to {gadget}',
      'why does {gadget} keep disconnecting',
      'how do i free up storage on {gadget}',
      'how long should the battery of {gadget} last',
      'how do i take a screenshot on {gadget}',
      'update the software on {gadget}',
      'back up {app} to the cloud',
      'make {gadget} louder',
      'turn on do not disturb on {gadget}',
      '{gadget} will not charge',
    ],
  },
  {
    name: 'math',
    templates: [
      'what is {number} times {number}',
      'what is {number} divided by {number}',
      'convert {number} miles to km',
      'how many ounces in a cup',
      'what is 15 percent of {number}',
      'square root of {number}',
      'how many days until {holiday}',
      'convert {number} fahrenheit to celsius',
    ],
  },
  {
    name: 'movies and books',
    templates: [
      'who directed {movie}',
      'is {movie} worth watching',
      'recommend a movie like {movie}',
      'who wrote {book}',
      'what is {book} about',
      'how long is {movie}',
      'give me a good book to read on holiday',
      'does {book} have a sequel',
    ],
  },
  {
    name: 'health and fitness',
    templates: [
      'how many {exercise} should i do a day',
      'is {exercise} good for back pain',
      'how much water should i drink',
      'give me a ten minute {exercise} routine',
      'how many steps did i walk today',
      'how do i sleep better',
      'what are good stretches before {exercise}',
      'how many calories does {exercise} burn',
    ],
  },
  {
    name: 'pets and plants',
    templates: [
      'how often should i water {plant}',
      'why are the leaves on {plant} turning yellow',
      'what can {animal} eat',
      'how do i stop {animal} scratching the sofa',
      'when should i plant {plant}',
      'is {plant} safe for cats',
      'how long do goldfish live',
      'how do i train {animal} to sit',
    ],
  },
  {
    name: 'travel ideas',
    templates: [
      'what should i see in {city}',
      'what is the best time to visit {country}',
      'things to do in {city} {day}',
      'is {city} safe for tourists',
      'what to pack for a trip to {country}',
      'what currency do they use in {country}',
      'how do i get around {city}',
      'best beaches in {country}',
    ],
  },
  {
    name: 'news',
    templates: [
      "what's in the news today",
      'any updates on the election',
      'read me the headlines',
      'what happened in {city} {day}',
      'latest {sport} news',
      'is there any news about {thing}',
    ],
  },
  {
    name: 'homework',
    templates: [
      'help me write an essay about {subject}',
      'summarise {book} in three sentences',
      'what year did {person} die',
      'write a poem about {thing}',
      'give me a riddle',
      'explain {subject} in simple words',
      'solve 3x + 7 = 22',
    ],
  },
  {
    name: 'holidays and events',
    templates: [
      'when is {holiday} this year',
      'gift ideas for {holiday}',
      'how do people celebrate {holiday} in {country}',
      'what should i wear to a wedding',
      'plan a birthday party for a six year old',
      'ideas for a date night',
    ],
  },
  {
    name: 'noise',
    templates: [
      'test',
      'hello?',
      'asdfghjkl',
      '...',
      'ok',
      'hmm',
      'lol',
      'testing 1 2 3',
      'qwerty',
      'hi there',
      'is anyone reading this',
      'blah blah',
      'nevermind',
      'wrong window sorry',
      '?',
    ],
  },
];

/** The domains the texts come from (each text's group). */
export const BACKGROUND_DOMAINS: readonly string[] = DOMAINS.map((d) => d.name);

/** `count` texts (default 3,000), spread evenly over the domains, distinct, in a seeded order. */
export function generateBackgroundTexts(props: { seed?: number; count?: number } = {}): BackgroundText[] {
  const random = seededRandom(props.seed ?? 1);
  const count = props.count ?? 3000;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const fill = (template: string) =>
    template.replace(/\{(\w+)\}/g, (_, slot: string) => pick(SLOTS[slot] ?? [`{${slot}}`]));
  const perDomain = Math.ceil(count / DOMAINS.length);
  const out: BackgroundText[] = [];
  for (const domain of DOMAINS) {
    const seen = new Set<string>();
    // Templates without slots give a handful of texts only; the attempts bound keeps a small domain small.
    for (let attempt = 0; seen.size < perDomain && attempt < perDomain * 20; attempt++) {
      const text = fill(pick(domain.templates));
      if (seen.has(text)) continue;
      seen.add(text);
      out.push({ text, group: domain.name });
    }
  }
  // Interleaved in a seeded order, then cut to the count.
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out.slice(0, count);
}
