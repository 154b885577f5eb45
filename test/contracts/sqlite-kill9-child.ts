/**
 * Child process for the kill -9 test: accepts messages, reports once every accept resolved (the
 * moment receive/ would answer 250), then kills itself with SIGKILL — no close, no flush, no exit
 * handlers. The parent reopens the file and expects every acknowledged message.
 */
import { createStores, openDatabase } from '../../src/db/index.js';
import { message } from './store-fixtures.js';

const [url, count] = [process.argv[2]!, Number(process.argv[3])];
const stores = createStores(await openDatabase(url));
const ids = Array.from({ length: count }, (_, i) => `K${String(i).padStart(5, '0')}`);
await Promise.all(ids.map((id) => stores.spool.accept(message(id))));
process.stdout.write(`acknowledged ${ids.length}\n`, () => process.kill(process.pid, 'SIGKILL'));
