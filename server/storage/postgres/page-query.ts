/**
 * Page queries over PostgreSQL that answer only the rows a byte-bounded page can take: a window
 * sum of the stored fields' bytes (`octet_length`, read from the value's header without
 * decompressing it) cuts the rows once those before the previous row already pass the budget.
 * The shared `pageOf` then cuts exactly by envelope JSON; it always stops at a row it was given
 * (an envelope is longer than its fields), so `hasMore` stays true. A page read costs the budget
 * and two records at most, where `limit + 1` rows of 400 KB notes were 2 GB.
 */
import { ENVELOPE_COLUMNS } from './record-rows.ts';

/**
 * `inner`: a query of `ENVELOPE_COLUMNS` that may be ordered and limited; `budgetParam`: the
 * placeholder of the byte budget. Answers its rows by seq, as far as a page of that budget can use.
 */
export function withinPageBudget(inner: string, budgetParam: string): string {
  return `SELECT ${ENVELOPE_COLUMNS} FROM (
      SELECT ${ENVELOPE_COLUMNS},
          sum(octet_length(fields)) OVER w - octet_length(fields) - coalesce(lag(octet_length(fields)) OVER w, 0)
            AS before_previous
        FROM (${inner}) candidates WINDOW w AS (ORDER BY seq)) page
    WHERE before_previous <= ${budgetParam} ORDER BY seq`;
}
