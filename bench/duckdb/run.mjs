// Runs one of the benchmark's SQL scripts (3x.sql, newcomer.sql), after macros.sql, in DuckDB, through its Node
// package (@duckdb/node-api, installed here by bench/run.sh from package-lock.json):
//
//   node bench/duckdb/run.mjs SCRIPT.sql --data FILE --out FILE
//
// The script reads the data file named by {{data}} and writes its results CSV to {{out}} (the
// paths are put in as SQL string literals). DuckDB uses every core, as it does by default.
// Exit code 0 on success, 1 when DuckDB reports an error (the script's own checks included), 2 on
// usage errors.
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const usage = 'usage: node bench/duckdb/run.mjs SCRIPT.sql --data FILE --out FILE';
const args = process.argv.slice(2);
let script = '';
let data = '';
let out = '';
for (let i = 0; i < args.length; ++i) {
  if ((args[i] === '--data' || args[i] === '--out') && i + 1 < args.length) {
    if (args[i] === '--data') data = args[++i];
    else out = args[++i];
  } else if (script === '' && !args[i].startsWith('-')) {
    script = args[i];
  } else {
    console.error(`duckdb: error: unexpected argument '${args[i]}'\n${usage}`);
    process.exit(2);
  }
}
if (script === '' || data === '' || out === '') {
  console.error(`duckdb: error: a script, --data and --out are required\n${usage}`);
  process.exit(2);
}

const literal = (s) => `'${s.replaceAll("'", "''")}'`;
const macros = readFileSync(new URL('macros.sql', import.meta.url), 'utf8');
const sql = readFileSync(script, 'utf8').replaceAll('{{data}}', literal(data)).replaceAll('{{out}}', literal(out));

try {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(macros);
  await connection.run(sql);
  connection.closeSync();
} catch (e) {
  console.error(`duckdb: error: ${e.message}`);
  process.exit(1);
}
