import { Injectable } from '@nestjs/common';
import { redisKeys, type FactoryRecord } from '@barrage/contracts';
import { RedisService } from '../infra/redis.service.js';

export interface ZoneView {
  zone: string;
  factories: number;
  capacity: number;
}

/** Reads the live factories that register themselves in Redis (docs/architecture.md#factory-registry). */
@Injectable()
export class FactoriesService {
  constructor(private readonly redis: RedisService) {}

  /** Factories whose heartbeat has not expired, sorted by zone then id (a stable order for splitting). */
  async live(): Promise<FactoryRecord[]> {
    const ids = await this.redis.main.smembers(redisKeys.factoryIds);
    if (ids.length === 0) return [];
    const values = await this.redis.main.mget(ids.map(redisKeys.factory));
    const live: FactoryRecord[] = [];
    const expired: string[] = [];
    values.forEach((v, i) => (v ? live.push(JSON.parse(v) as FactoryRecord) : expired.push(ids[i]!)));
    if (expired.length) await this.redis.main.srem(redisKeys.factoryIds, ...expired);
    return live.sort((a, b) => a.zone.localeCompare(b.zone) || a.id.localeCompare(b.id));
  }

  async zones(): Promise<ZoneView[]> {
    const byZone = new Map<string, ZoneView>();
    for (const f of await this.live()) {
      const z = byZone.get(f.zone) ?? { zone: f.zone, factories: 0, capacity: 0 };
      z.factories += 1;
      z.capacity += f.capacity;
      byZone.set(f.zone, z);
    }
    return [...byZone.values()];
  }
}
