/**
 * CSV files as rows of named columns, read and written with d3-dsv (RFC 4180 quoting, small,
 * no dependencies in the bundle). Only its row-array functions are used: `csvParse` builds
 * row objects with `new Function`, which the app's CSP (no 'unsafe-eval') refuses.
 */
import { csvFormatRows, csvParseRows } from 'd3-dsv';
import { ImportError } from './import-error.ts';

/** Rows of `text` by their header's names (a byte-order mark is dropped); throws when `required` columns are missing. */
export function readCsvRows(text: string, what: string, required: string[]): Record<string, string>[] {
  const [header = [], ...rows] = csvParseRows(text.replace(/^\ufeff/, ''));
  const columns = header.map((column) => column.trim().toLowerCase());
  const missing = required.filter((column) => !columns.includes(column));
  if (missing.length > 0) {
    throw new ImportError(`This file is not ${what}: it has no ${missing.join(', ')} column.`);
  }
  return rows
    .filter((row) => row.some((value) => value.trim() !== ''))
    .map((row) => Object.fromEntries(columns.map((column, index) => [column, row[index] ?? ''])));
}

/** A CSV file of `rows` under `columns`, every value quoted as needed. */
export function writeCsvRows(rows: Record<string, string>[], columns: string[]): string {
  return `${csvFormatRows([columns, ...rows.map((row) => columns.map((column) => row[column] ?? ''))])}\n`;
}
