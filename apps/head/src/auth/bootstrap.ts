import { PrismaPg } from '@prisma/adapter-pg';
import { createApiKeySchema, expiryOf, hashApiKey, newApiKey, type CreatedApiKey } from '@barrage/contracts';
import { PrismaClient } from '../generated/prisma/client.js';
import { createKeyRow } from './api-keys.repository.js';
import { displayPrefix, toApiKey } from './api-keys.service.js';

/**
 * `barrage keys create`: a key made straight in Postgres, so the first admin key can exist
 * before any key does. The database must be migrated (a head has started once, or the CLI
 * migrates first). Throws a readable Error for bad options.
 */
export async function createApiKeyDirect(databaseUrl: string, options: { name: string; scope: string; expiresIn?: string }): Promise<CreatedApiKey> {
  const parsed = createApiKeySchema.safeParse(options);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || 'key'}: ${i.message}`).join('; '));
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: 1 }) });
  try {
    const key = newApiKey();
    const row = await createKeyRow(prisma, { name: parsed.data.name, scope: parsed.data.scope, hash: hashApiKey(key), prefix: displayPrefix(key), expiresAt: expiryOf(parsed.data, Date.now()) });
    return { ...toApiKey(row), key };
  } finally {
    await prisma.$disconnect();
  }
}
