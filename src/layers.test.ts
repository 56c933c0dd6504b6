/**
 * The house rules of docs/architecture.md, checked on every source file: each folder imports only
 * from the folders below it (protocol → store and server → sync → api and the worker → ui), the
 * worker never reaches the page's side, and test helpers stay out of the programs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Each part of the house, by the longest folder prefix that names it, and the parts it may import. */
const PARTS: { part: string; folder: string; imports: string[] }[] = [
  { part: 'protocol', folder: 'protocol/', imports: [] },
  { part: 'server', folder: 'server/', imports: ['protocol'] },
  { part: 'store', folder: 'src/store/', imports: ['protocol'] },
  { part: 'sync', folder: 'src/sync/', imports: ['protocol', 'store'] },
  { part: 'sync/page', folder: 'src/sync/page/', imports: ['protocol', 'store', 'sync'] },
  { part: 'api', folder: 'src/api/', imports: ['protocol', 'store', 'sync', 'sync/page'] },
  { part: 'worker', folder: 'sw/', imports: ['protocol', 'store', 'sync'] },
  { part: 'import-export', folder: 'src/import-export/', imports: ['protocol', 'api'] },
  { part: 'ui', folder: 'src/ui/', imports: ['protocol', 'api', 'import-export'] },
  { part: 'entry', folder: 'src/main.tsx', imports: ['api', 'ui'] },
];

function partOf(path: string): string | undefined {
  const matches = PARTS.filter(({ folder }) => path.startsWith(folder));
  return matches.sort((a, b) => b.folder.length - a.folder.length)[0]?.part;
}

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** The project files a file imports (relative specifiers only; packages are not parts). */
function importsOf(path: string): string[] {
  const text = readFileSync(join(ROOT, path), 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((match) => match[1]);
  return specifiers.map((specifier) => relative(ROOT, resolve(ROOT, dirname(path), specifier)));
}

const isTest = (path: string) => /\.test\.tsx?$|\.test-helper\.ts$/.test(path);
const programFiles = ['protocol', 'server', 'src', 'sw'].flatMap(sourceFiles).filter((path) => !isTest(path));

describe('the house', () => {
  it('has every source file in a part', () => {
    expect(programFiles.filter((path) => partOf(path) === undefined)).toEqual([]);
  });

  it('imports only downward: each part from itself and the parts below it', () => {
    const upward = programFiles.flatMap((path) => {
      const from = partOf(path)!;
      const allowed = new Set([from, ...PARTS.find(({ part }) => part === from)!.imports]);
      return (
        importsOf(path)
          // Stylesheets and package.json are no parts: code is.
          .filter((target) => /\.tsx?$/.test(target) && !allowed.has(partOf(target) ?? 'outside'))
          .map((target) => `${path} -> ${target}`)
      );
    });
    expect(upward).toEqual([]);
  });

  it('keeps test helpers out of the programs', () => {
    const helpers = programFiles.flatMap((path) =>
      importsOf(path)
        .filter(isTest)
        .map((target) => `${path} -> ${target}`),
    );
    expect(helpers).toEqual([]);
  });
});
