import { Injectable } from '@nestjs/common';
import { maskSecrets, scenarioSchema, tryOptionsSchema, type Scenario, type ScenarioRecord, type TryResult } from '@barrage/contracts';
import { tryScenario } from './try-run.js';
import { TargetPolicy } from './target-policy.js';
import { ScenariosRepository } from './scenarios.repository.js';
import { conflict, notFound, parseOr400 } from '../common/api-error.js';
import type { ScenarioVersion } from '../generated/prisma/client.js';


/** Stored, versioned scenarios (docs/api.md#scenarios): every POST of a name adds a version. */
@Injectable()
export class ScenariosService {
  constructor(
    private readonly repo: ScenariosRepository,
    private readonly policy: TargetPolicy,
  ) {}

  async save(body: unknown): Promise<ScenarioRecord> {
    const parsed = parseOr400(scenarioSchema, body, 'scenario');
    this.policy.checkTargets(parsed);
    const scenario = this.policy.sealSecrets(parsed);
    // Serialisable retry loop: two concurrent saves of one name must not both take version n+1.
    for (let attempt = 0; ; attempt++) {
      const latest = await this.repo.latest(scenario.name);
      try {
        const row = await this.repo.create(scenario.name, (latest?.version ?? 0) + 1, scenario as object);
        return maskSecrets(toRecord(row));
      } catch (e) {
        if ((e as { code?: string }).code !== 'P2002' || attempt > 5) throw e;
      }
    }
  }

  /** Secret values never leave the head: every answer masks them. */
  async list(): Promise<ScenarioRecord[]> {
    return (await this.repo.latestOfEach()).map((r) => maskSecrets(toRecord(r)));
  }

  async get(name: string): Promise<ScenarioRecord> {
    return maskSecrets(await this.latest(name));
  }

  private async latest(name: string): Promise<ScenarioRecord> {
    const row = await this.repo.latest(name);
    if (!row) throw notFound(`scenario "${name}"`);
    return toRecord(row);
  }

  /** One iteration of the saved scenario (docs/api.md#trying-a-scenario). */
  async trySaved(name: string, body: unknown): Promise<TryResult> {
    const { variables } = parseOr400(tryOptionsSchema, body ?? {}, 'try options');
    const { version, createdAt: _, ...scenario } = await this.latest(name);
    return tryScenario(this.policy.openSecrets(scenario), version, variables, (url) => this.policy.allowsUrl(url));
  }

  /** One iteration of a scenario body that is not saved. */
  async tryUnsaved(body: unknown): Promise<TryResult> {
    return tryScenario(parseOr400(scenarioSchema, body, 'scenario'), null, {}, (url) => this.policy.allowsUrl(url));
  }

  /** The latest version of each name, or the names that do not exist. */
  async resolve(names: string[]): Promise<{ found: Map<string, ScenarioRecord>; missing: string[] }> {
    const rows = await this.repo.latestOfEach(names);
    const found = new Map(rows.map((r) => [r.name, toRecord(r)]));
    return { found, missing: names.filter((n) => !found.has(n)) };
  }

  async remove(name: string): Promise<void> {
    await this.latest(name);
    const running = await this.repo.activeCampaignUsing(name);
    if (running) throw conflict(`scenario "${name}" is used by campaign ${running}, which is still running`);
    await this.repo.deleteAll(name);
  }
}

function toRecord(row: ScenarioVersion): ScenarioRecord {
  return { ...(row.definition as unknown as Scenario), version: row.version, createdAt: row.createdAt.toISOString() };
}
