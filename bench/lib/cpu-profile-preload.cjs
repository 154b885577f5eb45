/**
 * Preloaded into the gateway child (`node --require …/cpu-profile-preload.cjs bin/sealpost.js
 * start …`) by `npm run bench -- --profile`; SEALPOST_BENCH_PROFILE_DIR says where to write. Two diagnostics,
 * both written into $SEALPOST_BENCH_PROFILE_DIR when the process exits normally (SIGTERM drain):
 *
 * - gateway-<pid>.cpuprofile: V8's sampling CPU profiler (the format of `node --cpu-prof`),
 *   started through the in-process inspector, whose session answers synchronously — so the exit
 *   handler can stop it and write the result.
 * - gateway-<pid>.sql.json: per SQL statement (multi-row VALUES and IN lists folded), how often
 *   better-sqlite3 prepared and ran it and the wall time spent inside prepare and run/all/get
 *   (an fsync under COMMIT is in there: better-sqlite3 blocks the event loop for it). Measured by
 *   wrapping Database.prototype.prepare of the better-sqlite3 module the gateway loads.
 * Nothing of the gateway's code is changed; without the env variable this file does nothing.
 */
'use strict';
const inspector = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.SEALPOST_BENCH_PROFILE_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: Number(process.env.SEALPOST_BENCH_PROFILE_INTERVAL_US) || 1000 });
  session.post('Profiler.start');

  /** sql → { prepares, prepareNs, runs, runNs, rows } */
  const stats = new Map();
  const fold = (sql) =>
    sql
      .replace(/\((?:\?|null)(?:, (?:\?|null))*\)(?:, \((?:\?|null)(?:, (?:\?|null))*\))+/g, '(…), …')
      .replace(/ in \(\?(?:, \?)*\)/g, ' in (…)');
  /** raw sql → its entry, so the folding regexps run once per distinct text */
  const bySql = new Map();
  const entry = (sql) => {
    let s = bySql.get(sql);
    if (s) return s;
    const key = fold(sql);
    s = stats.get(key);
    if (!s) stats.set(key, (s = { prepares: 0, prepareNs: 0n, runs: 0, runNs: 0n, rows: 0 }));
    if (bySql.size < 10000) bySql.set(sql, s);
    return s;
  };
  let Database = null;
  try {
    Database = require(require.resolve('better-sqlite3', { paths: [process.cwd(), join(__dirname, '..', '..')] }));
  } catch {
    /* no SQLite in this process */
  }
  if (Database) {
    const prepare = Database.prototype.prepare;
    Database.prototype.prepare = function timedPrepare(sql) {
      const s = entry(sql);
      const t0 = process.hrtime.bigint();
      const stmt = prepare.call(this, sql);
      s.prepares++;
      s.prepareNs += process.hrtime.bigint() - t0;
      for (const method of ['run', 'all', 'get']) {
        const original = stmt[method];
        // the profile shows this frame's self time as the native SQLite call (execution, WAL writes, fsync)
        stmt[method] = function betterSqlite3NativeCall(...args) {
          const t = process.hrtime.bigint();
          try {
            const out = original.apply(stmt, args);
            if (Array.isArray(out)) s.rows += out.length;
            return out;
          } finally {
            s.runs++;
            s.runNs += process.hrtime.bigint() - t;
          }
        };
      }
      return stmt;
    };
  }

  process.once('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (!err && result) writeFileSync(join(dir, `gateway-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
    if (stats.size > 0) {
      const rows = [...stats].map(([sql, s]) => ({ sql, prepares: s.prepares, prepareMs: Number(s.prepareNs) / 1e6, runs: s.runs, runMs: Number(s.runNs) / 1e6, rows: s.rows }));
      writeFileSync(join(dir, `gateway-${process.pid}.sql.json`), JSON.stringify(rows));
    }
  });
}
