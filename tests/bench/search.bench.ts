/**
 * Search latency at 10,000 link cards with article text (about 6 KB each, 60 MB in all): the
 * time from a new search to its sorted result, as the card view computes it
 * (`LiveCardQuery.run`), for searches typed letter by letter (each keystroke a search after
 * the one before, as in the search box; the box cleared between two) and pasted whole into an
 * empty box. Target: p99 ≤ 50 ms. Baseline: every one of those searches as a plain scan of
 * every card's folded text (no filter, nothing kept from the search before).
 */
import { availableParallelism, loadavg } from 'node:os';
import { newId } from '../../protocol/index.ts';
import type { RecordView } from '../../src/api/client.ts';
import { foldForSearch, prepareSearch } from '../../src/ui/live/card-search.ts';
import { type CardQuery, LiveCardQuery } from '../../src/ui/live/live-card-query.ts';
import { type BenchRow, benchRow, markdownTable, writeBenchResults } from './bench-report.ts';

const CARDS = 10_000;
const WORDS_PER_ARTICLE = [700, 1300] as const;

/** A seeded generator, so every run searches the same library. */
function randomFrom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const random = randomFrom(25);
const SYLLABLES =
  'ba be bi bo bu ca ce co da de di do fa fe fi ga go ha he hi ka ke ki ko la le li lo lu ma me mi mo na ne ni no pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi wa we ya yo za ze zi'.split(
    ' ',
  );
const ACCENTED = [
  'café',
  'Zürich',
  'naïve',
  'crème',
  'brûlée',
  'São',
  'Kraków',
  'Ærø',
  'façade',
  'jalapeño',
  'Málaga',
  'Øresund',
];

/** 30,000 made-up words, used by rank with Zipf's law, as words are in real text. */
const VOCABULARY = Array.from({ length: 30_000 }, (_, rank) => {
  let word = '';
  let n = rank + 7;
  do {
    word += SYLLABLES[n % SYLLABLES.length];
    n = Math.floor(n / SYLLABLES.length);
  } while (n > 0);
  return word;
});
const CUMULATIVE = (() => {
  let sum = 0;
  return VOCABULARY.map((_, rank) => (sum += 1 / (rank + 1)));
})();

function word(): string {
  if (random() < 0.001) return ACCENTED[Math.floor(random() * ACCENTED.length)];
  const target = random() * CUMULATIVE[CUMULATIVE.length - 1];
  let low = 0;
  let high = CUMULATIVE.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (CUMULATIVE[middle] < target) low = middle + 1;
    else high = middle;
  }
  return VOCABULARY[low];
}

function words(count: number): string {
  return Array.from({ length: count }, word).join(' ');
}

function article(): string {
  const [fewest, most] = WORDS_PER_ARTICLE;
  const paragraphs: string[] = [];
  let left = fewest + Math.floor(random() * (most - fewest));
  while (left > 0) {
    const length = Math.min(left, 40 + Math.floor(random() * 80));
    paragraphs.push(`${words(length)}.`);
    left -= length;
  }
  return paragraphs.join('\n\n');
}

function libraryOfCards(): RecordView[] {
  return Array.from({ length: CARDS }, (_, index) => ({
    id: newId(),
    table: 'cards' as const,
    workspaceId: 'w',
    version: 1,
    deleted: false,
    pending: false,
    conflict: false,
    fields: {
      kind: 'link',
      url: `https://site-${index % 400}.example/${words(3).replaceAll(' ', '-')}`,
      title: words(6),
      description: words(25),
      siteName: `Site ${index % 400}`,
      articleText: article(),
      content: '',
      tags: index % 3 === 0 ? [VOCABULARY[index % 40]] : [],
      collectionIds: [],
      pinned: index % 50 === 0,
    },
  }));
}

/** What people search for: common and rare words, accents, several words, a URL, nothing found. */
const SEARCHES = [
  VOCABULARY[3],
  VOCABULARY[200],
  VOCABULARY[5_000],
  VOCABULARY[29_000],
  'zurich',
  'CAFE',
  'creme brulee',
  `${VOCABULARY[10]} ${VOCABULARY[900]}`,
  'site-17.example',
  'qxj',
  'nothing like this',
];

/** A search as the box holds it, and whether it was pasted into an empty box (else typed onto the one before). */
interface Keystroke {
  search: string;
  pasted: boolean;
}

/** Each search typed letter by letter (every prefix is a search, the box cleared between two), then pasted whole, twice. */
function searchesAsTyped(): Keystroke[] {
  const typed: Keystroke[] = [];
  for (const search of SEARCHES)
    for (let end = 1; end <= search.length; end++) typed.push({ search: search.slice(0, end), pasted: end === 1 });
  const pasted = SEARCHES.map((search) => ({ search, pasted: true }));
  return [...typed, ...pasted, ...pasted];
}

function percentile(samples: number[], fraction: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

/** The plain way: fold the search, scan every card's folded text, sort what matched. */
function plainScan(cards: RecordView[], texts: Map<RecordView, string>, search: string): RecordView[] {
  const wanted = foldForSearch(search).split(/\s+/).filter(Boolean);
  return cards
    .filter((card) => {
      const text = texts.get(card)!;
      return wanted.every((part) => text.includes(part));
    })
    .sort((a, b) => (a.id < b.id ? 1 : -1));
}

async function main(): Promise<void> {
  const cards = libraryOfCards();
  const megabytes = cards.reduce((sum, card) => sum + (card.fields.articleText as string).length, 0) / 1e6;
  console.log(`${CARDS} cards, ${megabytes.toFixed(1)} MB of article text`);

  const prepareStart = performance.now();
  prepareSearch(cards, () => true);
  const prepareMs = performance.now() - prepareStart;

  const searches = searchesAsTyped();
  const query = new LiveCardQuery();
  const base: Omit<CardQuery, 'search'> = { filters: {}, sortBy: 'created', sortDir: 'desc' };
  // Warm-up: the first searches of a session also compile the search code; the bench times the session after.
  for (const search of ['w', 'wa', 'warm', 'warm up', '']) query.run(cards, { ...base, search });
  const samples: number[] = [];
  const cpuSamples: number[] = [];
  const pastedSamples: number[] = [];
  let current = cards;
  for (const { search, pasted } of searches) {
    if (pasted) {
      // The box emptied (not timed), over a list as the live list publishes it after a change
      // (a new array of the same records): nothing of the searches before is kept to start from.
      current = cards.slice();
      query.run(current, { ...base, search: '' });
    }
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    query.run(current, { ...base, search });
    const wall = performance.now() - start;
    samples.push(wall);
    const cpu = process.cpuUsage(cpuStart);
    cpuSamples.push((cpu.user + cpu.system) / 1000);
    if (pasted) pastedSamples.push(wall);
  }

  const texts = new Map(
    cards.map((card) => {
      const fields = card.fields;
      const parts = [fields.title, fields.siteName, fields.url, fields.description, fields.content, fields.articleText];
      return [card, foldForSearch(parts.filter(Boolean).join('\n'))];
    }),
  );
  const plain: number[] = [];
  for (const { search } of searches) {
    const start = performance.now();
    plainScan(cards, texts, search);
    plain.push(performance.now() - start);
  }

  const rows: BenchRow[] = [
    benchRow({
      name: `search p50 (${CARDS} cards, ${megabytes.toFixed(0)} MB article text, ${searches.length} searches)`,
      value: percentile(samples, 0.5),
      unit: 'ms',
      baseline: percentile(plain, 0.5),
    }),
    benchRow({
      name: `search p99 (${CARDS} cards, ${megabytes.toFixed(0)} MB article text, ${searches.length} searches)`,
      value: percentile(samples, 0.99),
      unit: 'ms',
      baseline: percentile(plain, 0.99),
      target: { on: 'value', atMost: 50 },
    }),
    benchRow({
      name: `search p99 of the ${pastedSamples.length} searches into an empty box (pasted, or a first letter)`,
      value: percentile(pastedSamples, 0.99),
      unit: 'ms',
    }),
    benchRow({ name: 'search CPU time p50 (the same searches)', value: percentile(cpuSamples, 0.5), unit: 'ms' }),
    benchRow({ name: 'search CPU time p99 (the same searches)', value: percentile(cpuSamples, 0.99), unit: 'ms' }),
    benchRow({ name: `search text prepared for ${CARDS} cards (once, in idle steps)`, value: prepareMs, unit: 'ms' }),
  ];
  await writeBenchResults('search', rows);
  // Wall-clock figures on a shared machine include time spent waiting for a core: say how busy it was.
  console.log(`load average during the run: ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores`);
  // What the p99 is made of: the slowest searches, with their CPU time.
  const slowest = searches
    .map(({ search, pasted }, i) => ({ search, pasted, wall: samples[i], cpu: cpuSamples[i] }))
    .sort((a, b) => b.wall - a.wall)
    .slice(0, 6);
  for (const { search, pasted, wall, cpu } of slowest) {
    console.log(
      `slow: ${JSON.stringify(search)}${pasted ? ' (into an empty box)' : ''}: ${wall.toFixed(1)} ms wall, ${cpu.toFixed(1)} ms CPU`,
    );
  }
  console.log(markdownTable(rows));
}

await main();
