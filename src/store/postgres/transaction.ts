import type pg from 'pg';

/** Runs `work` in one transaction on one pooled connection; rolls back and rethrows on any error. */
export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A connection the server drops meanwhile fails its queries (pool.ts keeps its 'error' event
  // from ending the process), and the pool discards it when it comes back.
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const value = await work(client);
    await client.query('COMMIT');
    return value;
  } catch (error) {
    // A connection that cannot even roll back is in an unknown state: the pool must discard it.
    await client.query('ROLLBACK').catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}
