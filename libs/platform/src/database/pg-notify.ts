/** What a NOTIFY needs of a pool or client. */
export interface NotifyTarget {
  query(sql: string): Promise<unknown>;
}

/**
 * Wakes the listeners of `channel` (one of our constant channel names) in other processes. NOTIFY needs a transaction id, so its
 * commit would wait for its own WAL flush: an asynchronous commit is enough, since losing it in
 * a crash only costs the listeners one poll interval. Never rejects, for the same reason.
 */
export async function notifyListeners(target: NotifyTarget, channel: string): Promise<void> {
  await target
    .query(`SELECT set_config('synchronous_commit', 'off', true), pg_notify('${channel}', '')`)
    .then(
      () => undefined,
      () => undefined,
    );
}
