/** Reads a running test gateway's queue through its own database file (WAL allows a second reader). */
import { openDatabase } from '../../src/db/open.js';
import { createStores } from '../../src/db/stores.js';
import type { QueueItem } from '../../src/queue/types.js';
import type { TestGateway } from './gateway.js';

export async function openQueue(gw: TestGateway): Promise<QueueItem[]> {
  const stores = createStores(await openDatabase(`sqlite:${gw.dbFile}`, { baseDir: gw.dir }));
  try {
    return await stores.queue.list({ limit: 1000 });
  } finally {
    await stores.close();
  }
}
