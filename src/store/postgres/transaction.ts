import type pg from 'pg';

/** Runs `work` in one transaction on one pooled connection; rolls back and rethrows on any error. */
export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // A connection lost while checked out (the server died) fails its queries; without a listener
  // its 'error' event would also be thrown at the process and end it.
  const lost = (error: Error) => {
    broken = error;
  };
  client.on('error', lost);
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
    client.off('error', lost);
    client.release(broken);
  }
}
