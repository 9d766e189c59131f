import type { IndexDatabase } from '../../db/database.js';

/** A query parameter: text (amounts go as decimal text, see `amount`), an integer, a flag, or an array of them. */
export type Param = string | number | boolean | null | readonly string[] | readonly number[];

/**
 * Numbered parameters for a query whose text is assembled from fixed fragments: values
 * only ever travel as parameters, never inside the text.
 */
export class Params {
  readonly values: Param[] = [];

  /** Adds a value and returns its placeholder. */
  add(value: Param): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** Runs a query assembled with Params; rows are typed by the caller, columns named by the query. */
export function run<Row>(db: IndexDatabase, text: string, params: Params | readonly Param[] = []): Promise<Row[]> {
  const values = params instanceof Params ? params.values : params;
  return db.sql.unsafe(text, values as Param[] as string[]) as unknown as Promise<Row[]>;
}

/** The one row a query returns, or undefined. */
export async function first<Row>(db: IndexDatabase, text: string, params: Params | readonly Param[] = []): Promise<Row | undefined> {
  const rows = await run<Row>(db, text, params);
  return rows[0];
}
