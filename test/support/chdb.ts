import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** test/support/chdb_server.py: a current ClickHouse release (chdb-core) behind its HTTP interface, for tests that must pass on 18.16 and on today's releases. */
const SERVER = path.join(__dirname, 'chdb_server.py');

/** Starts the server on a free port with its data in `dir`; resolves once it prints its port. */
export function startChdb(dir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn('python3', [SERVER, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`chdb server exited ${code}: ${err.trim()} (is chdb-core installed? run scripts/setup.sh)`)));
    child.stdout!.on('data', (d: Buffer) => {
      const m = /port (\d+)/.exec(d.toString());
      if (m) resolve({ child, port: Number(m[1]) });
    });
  });
}
