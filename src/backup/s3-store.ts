import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { BackupConfig } from '../config/schema';
import { backupS3Credentials } from '../config/secrets';
import { BackupStoreError } from './errors';
import { checkName, type BackupStore } from './store';

type S3Config = NonNullable<BackupConfig['s3']>;

/**
 * Backups in an S3-compatible bucket, through the official AWS SDK. Objects up to PART_BYTES go up in one
 * PUT; larger ones (a chunk above the default chunk size, a long batch list) as a multipart upload
 * (@aws-sdk/lib-storage), PART_BYTES per part, two parts in flight. Credentials come from the environment only
 * (src/config/secrets.ts), never from the config file. Checksums are sent only where S3 requires them, as
 * S3-compatible servers differ in the newer flexible checksums; each chunk carries its own SHA-256 anyway.
 */
export const PART_BYTES = 8 * 1024 * 1024;

export class S3BackupStore implements BackupStore {
  readonly description: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(config: S3Config, env: NodeJS.ProcessEnv = process.env) {
    this.bucket = config.bucket;
    this.prefix = config.prefix;
    this.description = `s3://${config.bucket}/${config.prefix}${config.endpoint ? ` at ${config.endpoint}` : ''}`;
    const credentials = backupS3Credentials(env);
    // The pinned SDK runs on Node 20; its notice that later versions will need Node 22 is a multi-line warning on
    // stderr, which would break the CLI's one-line output. Upgrading the SDK past it means raising engines.node.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    this.client = new S3Client({
      region: config.region,
      ...(config.endpoint && { endpoint: config.endpoint }),
      forcePathStyle: config.forcePathStyle,
      ...(credentials && { credentials }),
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
  }

  private key(name: string): string {
    return `${this.prefix}${checkName(name)}`;
  }

  private fail(what: string, err: unknown): BackupStoreError {
    const e = err as S3ServiceException;
    const code = e?.name ?? 'Error';
    const hint = code === 'NoSuchBucket' ? `; create the bucket ${this.bucket} or fix backup.s3.bucket` : code === 'CredentialsProviderError' || code === 'InvalidAccessKeyId' || code === 'SignatureDoesNotMatch' ? '; set MARKETPRISM_BACKUP_S3_ACCESS_KEY_ID and _SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)' : '';
    return new BackupStoreError(`${what} ${this.description} failed (${code}: ${String(e?.message ?? err).split('\n')[0]})${hint}`);
  }

  async put(name: string, data: Buffer): Promise<void> {
    try {
      await new Upload({ client: this.client, params: { Bucket: this.bucket, Key: this.key(name), Body: data }, partSize: PART_BYTES, queueSize: 2, leavePartsOnError: false }).done();
    } catch (err) {
      throw this.fail(`writing ${name} to`, err);
    }
  }

  async get(name: string): Promise<Buffer | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(name) }));
      return Buffer.from(await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
    } catch (err) {
      if (err instanceof NoSuchKey || (err as S3ServiceException)?.name === 'NoSuchKey') return undefined;
      throw this.fail(`reading ${name} from`, err);
    }
  }

  private async listKeys(prefix: string, delimiter?: string): Promise<{ keys: string[]; folders: string[] }> {
    const keys: string[] = [];
    const folders: string[] = [];
    let token: string | undefined;
    try {
      do {
        const out = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token, ...(delimiter && { Delimiter: delimiter }) }));
        for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key);
        for (const p of out.CommonPrefixes ?? []) if (p.Prefix) folders.push(p.Prefix);
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      throw this.fail('listing', err);
    }
    return { keys, folders };
  }

  async list(prefix: string): Promise<string[]> {
    const { keys } = await this.listKeys(`${this.key(prefix)}/`);
    return keys.map((k) => k.slice(this.prefix.length)).sort();
  }

  async folders(): Promise<string[]> {
    const { folders } = await this.listKeys(this.prefix, '/');
    return folders.map((f) => f.slice(this.prefix.length).replace(/\/$/, '')).filter(Boolean).sort();
  }

  async removeFolder(prefix: string): Promise<number> {
    const { keys } = await this.listKeys(`${this.key(prefix)}/`);
    try {
      for (let i = 0; i < keys.length; i += 1000) {
        await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true } }));
      }
    } catch (err) {
      throw this.fail(`removing ${prefix} from`, err);
    }
    return keys.length;
  }
}
