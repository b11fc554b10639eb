import { blankTicket, type Message, type TicketRecord } from '../../domain/index.ts';
import { UserError } from '../../shared/index.ts';
import type { Importer, ImportItem, ImportOptions, ImportSource } from '../importer.ts';
import { timeOf } from './column-mapping.ts';
import { type CsvRecord, csvRecords, firstCsvRecord } from './csv-records.ts';
import { resemblance } from './head-names.ts';

const TWCS_HEADER = [
  'tweet_id',
  'author_id',
  'inbound',
  'created_at',
  'text',
  'response_tweet_id',
  'in_response_to_tweet_id',
] as const;
const COLUMN = {
  id: 0,
  author: 1,
  inbound: 2,
  createdAt: 3,
  text: 4,
  responses: 5,
  inResponseTo: 6,
} as const;

/**
 * The "Customer Support on Twitter" (TWCS) tweet dump. A ticket is a thread opened by a customer tweet (inbound,
 * not a reply); its messages are the tweets reachable from it through replies, linked both ways (a reply's
 * `in_response_to_tweet_id` and the parent's `response_tweet_id` list). The first response is the earliest company
 * tweet replying directly to the opening one; the company handle (e.g. `sprintcare`) is the assignee and group,
 * and `customFields.company`. Tweets outside any thread (replies to tweets not in the file) are skipped.
 *
 * Memory: threads span the file, so it is read twice. The first pass indexes every tweet without its text: an
 * id -> tweet number map plus typed columns (creation time, direction, interned author, parent, reply links),
 * about 100 bytes per tweet: some 250 MB for the full 2.8M-tweet dump, where the texts alone would take more than
 * twice that as JS strings (measured: 900k synthetic tweets import within a 120 MB heap). Between passes the reply
 * graph gives each tweet its thread and each thread the record number of its last tweet. The second pass keeps
 * texts only for threads still open and yields each ticket as soon as its last tweet is read, so texts in memory
 * are bounded by the threads that straddle the current position. (A SQLite staging table in os.tmpdir() would
 * keep memory flat whatever the size, at the cost of writing and reading every tweet once more; the index is
 * small enough not to need it.) Because of the second pass, a file source's `bytesRead()` counts the file twice.
 *
 * @example
 * for await (const item of twcsImporter.read(openFileSource('twcs.csv'), { mapping: {} })) {
 *   if (item.kind === 'ticket') console.log(item.ticket.assignee, item.ticket.messages.length); // sprintcare 7
 * }
 */
export const twcsImporter: Importer = {
  format: 'twcs',
  description: 'the TWCS tweet dump (Customer Support on Twitter): one ticket per customer-opened thread',
  detect: (head) => isTwcsHeader(firstCsvRecord(head)),
  resemblance: (head) =>
    resemblance(head, { csv: (name) => (TWCS_HEADER as readonly string[]).includes(name) }),
  read: readTwcs,
};

function isTwcsHeader(header: readonly string[] | null): boolean {
  return (
    header !== null && header.length === TWCS_HEADER.length && TWCS_HEADER.every((h, i) => header[i] === h)
  );
}

async function* readTwcs(source: ImportSource, options: ImportOptions): AsyncIterable<ImportItem> {
  if (!isTwcsHeader(firstCsvRecord(source.head))) {
    throw new UserError(
      'import.wrong_format',
      `not the TWCS tweet dump: the header must be ${TWCS_HEADER.join(',')}`,
      { file: source.path, line: 1 },
    );
  }
  const index = newIndex();
  for await (const batch of dataRecords(source.text())) {
    const rejects: ImportItem[] = [];
    for (const record of batch) {
      const problem = indexTweet(index, record);
      if (problem !== null)
        rejects.push({ kind: 'reject', line: record.line, reason: problem, raw: record.raw });
    }
    yield* rejects;
  }
  const threads = buildThreads(index);
  yield* emitTickets(source.text(), index, threads, options.source ?? 'twcs');
}

/** Data records, numbered from 0 in file order (the header skipped): the key that ties the two passes together. */
async function* dataRecords(text: AsyncIterable<string>): AsyncGenerator<CsvRecord[]> {
  let header = true;
  for await (const batch of csvRecords(text, { delimiter: ',' })) {
    yield header ? batch.slice(1) : batch;
    header = false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Pass 1: the index. Arrays are indexed by tweet number (the order valid tweets were read in).

/**
 * Tweet ids as numbers, so they fit typed arrays and make compact map keys: the id itself when it is a safe
 * integer (TWCS ids are), else a negative stand-in from `bigIds`. -1 means "none".
 */
type TweetKey = number;
const NONE = -1;

/** A growable typed array: 1-8 bytes per tweet instead of a JS array's 8 plus boxing. */
interface Column<A extends Float64Array | Int32Array | Uint8Array> {
  data: A;
  length: number;
  make: (size: number) => A;
}

function column<A extends Float64Array | Int32Array | Uint8Array>(make: (size: number) => A): Column<A> {
  return { data: make(4096), length: 0, make };
}

function push<A extends Float64Array | Int32Array | Uint8Array>(c: Column<A>, value: number): void {
  if (c.length === c.data.length) {
    const grown = c.make(c.data.length * 2);
    grown.set(c.data);
    c.data = grown;
  }
  c.data[c.length++] = value;
}

interface TweetIndex {
  /** Tweet key -> tweet number (the order valid tweets were read in). */
  byId: Map<TweetKey, number>;
  /** Ids too large for a safe integer, by their stand-in key -(n + 2). */
  bigIds: Map<string, TweetKey>;
  bigIdText: string[];
  /** Per tweet number: */
  id: Column<Float64Array>;
  /** Record number, to find the tweet again in pass 2. */
  record: Column<Int32Array>;
  createdAt: Column<Float64Array>;
  inbound: Column<Uint8Array>;
  /** Index into `authors`: interned, since customers tweet many times and ~100 companies thousands. */
  author: Column<Int32Array>;
  /** From in_response_to_tweet_id; NONE when the tweet opens a conversation. */
  parent: Column<Float64Array>;
  /** Pairs (parent tweet number, child key) from response_tweet_id lists. */
  replyPairs: Column<Float64Array>;
  authors: string[];
  authorIndex: Map<string, number>;
  records: number;
}

function newIndex(): TweetIndex {
  return {
    byId: new Map(),
    bigIds: new Map(),
    bigIdText: [],
    id: column((n) => new Float64Array(n)),
    record: column((n) => new Int32Array(n)),
    createdAt: column((n) => new Float64Array(n)),
    inbound: column((n) => new Uint8Array(n)),
    author: column((n) => new Int32Array(n)),
    parent: column((n) => new Float64Array(n)),
    replyPairs: column((n) => new Float64Array(n)),
    authors: [],
    authorIndex: new Map(),
    records: 0,
  };
}

/** Indexes one record; returns why it is rejected, or null. */
function indexTweet(index: TweetIndex, record: CsvRecord): string | null {
  const recordNumber = index.records++;
  if (record.problem !== null) return record.problem;
  const f = record.fields;
  if (f.length !== TWCS_HEADER.length) return `expected ${TWCS_HEADER.length} fields, found ${f.length}`;
  const id = tweetKey(index, f[COLUMN.id] ?? '');
  if (id === null) return `bad tweet_id "${f[COLUMN.id]}"`;
  if (index.byId.has(id)) return `duplicate tweet_id ${f[COLUMN.id]}`;
  const createdAt = timeOf(f[COLUMN.createdAt]);
  if (createdAt === null) return `created_at "${f[COLUMN.createdAt]}" is not a time stamp`;
  const inbound = f[COLUMN.inbound]?.trim().toLowerCase();
  if (inbound !== 'true' && inbound !== 'false') return `inbound "${f[COLUMN.inbound]}" is not True or False`;
  const parentText = f[COLUMN.inResponseTo]?.trim() ?? '';
  const parent = parentText === '' ? NONE : tweetKey(index, parentText);
  if (parent === null) return `bad in_response_to_tweet_id "${parentText}"`;
  const replies = replyKeys(index, f[COLUMN.responses] ?? '');
  if (replies === null) return `bad response_tweet_id "${f[COLUMN.responses]}"`;
  const n = index.record.length;
  index.byId.set(id, n);
  push(index.id, id);
  push(index.record, recordNumber);
  push(index.createdAt, createdAt);
  push(index.inbound, inbound === 'true' ? 1 : 0);
  push(index.author, internAuthor(index, f[COLUMN.author]?.trim() ?? ''));
  push(index.parent, parent);
  for (const reply of replies) {
    push(index.replyPairs, n);
    push(index.replyPairs, reply);
  }
  return null;
}

/** The key of a tweet id; null when the text is not an id. */
function tweetKey(index: TweetIndex, text: string): TweetKey | null {
  let t = text.trim();
  // pandas re-saves ids as floats (`3.0`); the digits are still the id.
  if (t.endsWith('.0')) t = t.slice(0, -2);
  if (t === '' || !/^\d+$/.test(t)) return null;
  const n = Number(t);
  if (Number.isSafeInteger(n)) return n;
  let key = index.bigIds.get(t);
  if (key === undefined) {
    key = -(index.bigIdText.length + 2);
    index.bigIdText.push(detached(t));
    index.bigIds.set(index.bigIdText.at(-1)!, key);
  }
  return key;
}

function idText(index: TweetIndex, key: TweetKey): string {
  return key >= 0 ? String(key) : (index.bigIdText[-key - 2] ?? String(key));
}

function replyKeys(index: TweetIndex, text: string): TweetKey[] | null {
  if (text.trim() === '') return [];
  const keys: TweetKey[] = [];
  for (const part of text.split(',')) {
    const key = tweetKey(index, part);
    if (key === null) return null;
    keys.push(key);
  }
  return keys;
}

function internAuthor(index: TweetIndex, author: string): number {
  let n = index.authorIndex.get(author);
  if (n === undefined) {
    n = index.authors.length;
    const own = detached(author);
    index.authors.push(own);
    index.authorIndex.set(own, n);
  }
  return n;
}

/**
 * A copy of a string that does not keep the chunk it was sliced from alive (V8 slices share their parent's
 * memory): anything held across chunks goes through this, or the whole file would stay in memory.
 */
function detached(s: string): string {
  return s.length < 13 ? s : ` ${s}`.slice(1);
}

// ---------------------------------------------------------------------------------------------------------------
// Between passes: the reply graph.

interface Threads {
  /** Thread (ticket) number of each tweet; -1 for tweets in no thread. */
  threadOf: Int32Array;
  /** Per thread: the opening tweet, the record number of its last tweet, the first response (NaN: none) and the
   * company (an author index; -1: none). */
  root: Column<Int32Array>;
  lastRecord: Column<Int32Array>;
  firstResponseAt: Column<Float64Array>;
  company: Column<Int32Array>;
}

function buildThreads(index: TweetIndex): Threads {
  const count = index.record.length;
  const parentKey = index.parent.data;
  const parent = new Int32Array(count).fill(-1);
  const isRoot = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    if (parentKey[i] === NONE) isRoot[i] = index.inbound.data[i]!;
    else parent[i] = index.byId.get(parentKey[i]!) ?? -1;
  }
  // Reply lists fill links the replies themselves lack; an opening tweet never becomes a reply.
  const pairs = index.replyPairs.data;
  for (let k = 0; k < index.replyPairs.length; k += 2) {
    const child = index.byId.get(pairs[k + 1]!);
    if (child !== undefined && parentKey[child] === NONE && !isRoot[child]) parent[child] = pairs[k]!;
  }
  const children = childLists(parent);
  const threads: Threads = {
    threadOf: new Int32Array(count).fill(-1),
    root: column((n) => new Int32Array(n)),
    lastRecord: column((n) => new Int32Array(n)),
    firstResponseAt: column((n) => new Float64Array(n)),
    company: column((n) => new Int32Array(n)),
  };
  for (let i = 0; i < count; i++) if (isRoot[i]) walkThread(index, children, threads, i);
  return threads;
}

/** Children of each tweet in compressed form: the children of t are `list[start[t]..start[t + 1]]`. */
function childLists(parent: Int32Array): { start: Int32Array; list: Int32Array } {
  const start = new Int32Array(parent.length + 1);
  for (const p of parent) if (p >= 0) start[p + 1]!++;
  for (let i = 0; i < parent.length; i++) start[i + 1]! += start[i]!;
  const fill = start.slice(0, parent.length);
  const list = new Int32Array(start[parent.length]!);
  parent.forEach((p, child) => {
    if (p >= 0) list[fill[p]!++] = child;
  });
  return { start, list };
}

/** Marks the tweets of the thread opened by `root` and records its last record, first response and company. */
function walkThread(
  index: TweetIndex,
  children: { start: Int32Array; list: Int32Array },
  threads: Threads,
  root: number,
): void {
  const thread = threads.root.length;
  const createdAt = index.createdAt.data;
  const inbound = index.inbound.data;
  let lastRecord = index.record.data[root]!;
  let firstResponseAt = Number.NaN;
  let firstResponder = -1;
  let companyAt = Number.POSITIVE_INFINITY;
  let company = -1;
  const stack = [root];
  threads.threadOf[root] = thread;
  while (stack.length > 0) {
    const tweet = stack.pop()!;
    lastRecord = Math.max(lastRecord, index.record.data[tweet]!);
    if (!inbound[tweet] && createdAt[tweet]! < companyAt) {
      companyAt = createdAt[tweet]!;
      company = index.author.data[tweet]!;
    }
    for (let c = children.start[tweet]!; c < children.start[tweet + 1]!; c++) {
      const child = children.list[c]!;
      if (threads.threadOf[child] !== -1) continue;
      threads.threadOf[child] = thread;
      stack.push(child);
      const direct = tweet === root && !inbound[child];
      if (direct && !(createdAt[child]! >= firstResponseAt)) {
        firstResponseAt = createdAt[child]!;
        firstResponder = index.author.data[child]!;
      }
    }
  }
  push(threads.root, root);
  push(threads.lastRecord, lastRecord);
  push(threads.firstResponseAt, firstResponseAt);
  push(threads.company, firstResponder >= 0 ? firstResponder : company);
}

// ---------------------------------------------------------------------------------------------------------------
// Pass 2: texts, and each ticket as soon as its last tweet has been read.

async function* emitTickets(
  text: AsyncIterable<string>,
  index: TweetIndex,
  threads: Threads,
  source: string,
): AsyncGenerator<ImportItem> {
  const open = new Map<number, Message[]>();
  let recordNumber = 0;
  for await (const batch of dataRecords(text)) {
    const out: ImportItem[] = [];
    for (const record of batch) {
      const current = recordNumber++;
      const f = record.fields;
      const key = f.length === TWCS_HEADER.length ? tweetKey(index, f[COLUMN.id] ?? '') : null;
      const tweet = key === null ? undefined : index.byId.get(key);
      // Rejected rows and duplicates of an earlier tweet were reported in pass 1.
      if (tweet === undefined || index.record.data[tweet] !== current) continue;
      const thread = threads.threadOf[tweet]!;
      if (thread < 0) continue;
      let messages = open.get(thread);
      if (!messages) {
        messages = [];
        open.set(thread, messages);
      }
      messages.push(tweetMessage(index, tweet, f[COLUMN.text] ?? ''));
      if (threads.lastRecord.data[thread] === current) {
        open.delete(thread);
        const ticket = threadTicket(index, threads, thread, messages, source);
        out.push({ kind: 'ticket', line: record.line, ticket });
      }
    }
    yield* out;
  }
}

function tweetMessage(index: TweetIndex, tweet: number, text: string): Message {
  return {
    externalId: idText(index, index.id.data[tweet]!),
    authorRole: index.inbound.data[tweet] ? 'customer' : 'agent',
    authorId: index.authors[index.author.data[tweet]!] ?? null,
    body: detached(text),
    createdAt: index.createdAt.data[tweet]!,
    public: true,
  };
}

function threadTicket(
  index: TweetIndex,
  threads: Threads,
  thread: number,
  messages: Message[],
  source: string,
): TicketRecord {
  const root = threads.root.data[thread]!;
  const ticket = blankTicket(source, idText(index, index.id.data[root]!), index.createdAt.data[root]!);
  const company = index.authors[threads.company.data[thread]!] ?? null;
  const firstResponseAt = threads.firstResponseAt.data[thread]!;
  ticket.channel = 'twitter';
  ticket.assignee = company;
  ticket.group = company;
  ticket.firstResponseAt = Number.isNaN(firstResponseAt) ? null : firstResponseAt;
  // TWCS's rule: only a direct company reply to the opening tweet is a first response.
  ticket.deriveFirstResponse = false;
  ticket.customFields = { company };
  ticket.customer = {
    externalId: index.authors[index.author.data[root]!] ?? null,
    email: null,
    name: null,
    segment: null,
    attributes: {},
  };
  ticket.messages = messages.sort((a, b) => a.createdAt - b.createdAt);
  return ticket;
}
