import { describe, it } from 'node:test';
import { assertOneLineError } from '../support/cli';

/** Bad input to the backup commands ends in one line saying what was wrong and what to do (exit 2). */
describe('backup and restore: bad input', () => {
  it('restore', async () => {
    await assertOneLineError(['restore', '--backup', 'latest', '--target', 'primary'], /--backup 'latest' is not a backup id \(like 20250102T030405Z-9f3a1c\); `marketprism backup list` shows them$/);
    await assertOneLineError(['restore', '--backup', '20250102T030405Z-9f3a1c', '--target', 'replica-9'], /--target 'replica-9' is not a configured store; use one of primary, replica-1, replica-2$/);
    await assertOneLineError(['restore', '--backup', '20250102T030405Z-9f3a1c', '--target', 'primary', '--tables', 'trades,candles'], /--tables 'trades,candles': 'candles' is not a table; use some of trades, .*collection_gaps, alerts$/);
    await assertOneLineError(['restore', '--backup', '20250102T030405Z-9f3a1c', '--target', 'primary', '--database', 'db-1'], /--database 'db-1' is not a ClickHouse database name; use letters, digits and _$/);
    await assertOneLineError(['restore', '--target', 'primary'], /required option '--backup <id>' not specified; see --help$/);
  });

  it('backup verify', async () => {
    await assertOneLineError(['backup', 'verify', '2025'], /backup id '2025' is not a backup id/);
    await assertOneLineError(['backup', 'verify', '20250102T030405Z-9f3a1c', '--restore-test', '--store', 'nowhere'], /--store 'nowhere' is not a configured store; use one of primary, replica-1, replica-2$/);
  });

  it('a backup that is not there is one line naming its manifest (exit 1)', async () => {
    await assertOneLineError(
      ['backup', 'verify', '20250102T030405Z-9f3a1c'],
      /backup 20250102T030405Z-9f3a1c is bad: 20250102T030405Z-9f3a1c\/manifest\.json: missing from local directory .*; `marketprism backup list` shows the backups there$/,
      1,
      { MARKETPRISM_BACKUP_KEY: Buffer.alloc(32, 1).toString('base64') },
    );
  });
});
