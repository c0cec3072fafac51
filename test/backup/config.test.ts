import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { DEFAULT_CONFIG_PATH, parseConfig } from '../../src/config/load';
import { defaultBackupDir } from '../../src/backup/open';
import { backupS3Credentials } from '../../src/config/secrets';

const base = readFileSync(DEFAULT_CONFIG_PATH, 'utf8');

describe('backup: config section', () => {
  it('defaults: local backups under the data dir, an hourly schedule with 30 days of retention', () => {
    const config = parseConfig(base, 'default', {});
    assert.deepEqual(config.backup, { target: 'local', fullEvery: '1d', schedule: { enabled: true, every: '1h', retention: '30d', jitter: '1m', catchupWindow: '1h' } });
    assert.match(defaultBackupDir(config), /\.marketprism\/backups$/);
  });

  it('a partial schedule keeps the other defaults; s3 needs its section; bad values are one line', () => {
    const partial = parseConfig(`${base}\nbackup:\n  schedule: { every: 15m }\n`, 'x', {});
    assert.deepEqual(partial.backup.schedule, { enabled: true, every: '15m', retention: '30d', jitter: '1m', catchupWindow: '1h' });
    assert.throws(() => parseConfig(`${base}\nbackup: { target: s3 }\n`, 'x', {}), /^ConfigError: config x: backup.target = "s3": expected a backup.s3 section \(bucket, region, endpoint\)$/);
    assert.throws(() => parseConfig(`${base}\nbackup: { schedule: { every: hourly } }\n`, 'x', {}), /backup\.schedule\.every = "hourly": expected a duration like 500ms, 1s, 5m, 1h or 30d/);
    assert.throws(() => parseConfig(`${base}\nbackup: { target: s3, s3: { bucket: My_Bucket } }\n`, 'x', {}), /backup\.s3\.bucket = "My_Bucket": expected an S3 bucket name/);
    const s3 = parseConfig(`${base}\nbackup: { target: s3, s3: { bucket: mp-backups, endpoint: "http://127.0.0.1:9000" } }\n`, 'x', {});
    assert.deepEqual(s3.backup.s3, { bucket: 'mp-backups', endpoint: 'http://127.0.0.1:9000', region: 'us-east-1', prefix: 'marketprism/', forcePathStyle: true });
  });

  it('S3 credentials come from the environment only: MarketPrism names first, then the AWS ones', () => {
    assert.equal(backupS3Credentials({}), undefined);
    assert.deepEqual(backupS3Credentials({ AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' }), { accessKeyId: 'a', secretAccessKey: 'b' });
    assert.deepEqual(backupS3Credentials({ MARKETPRISM_BACKUP_S3_ACCESS_KEY_ID: 'm', MARKETPRISM_BACKUP_S3_SECRET_ACCESS_KEY: 'n', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' }), { accessKeyId: 'm', secretAccessKey: 'n' });
  });
});
