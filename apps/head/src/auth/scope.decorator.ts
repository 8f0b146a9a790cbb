import { SetMetadata } from '@nestjs/common';
import type { ApiKeyScope } from '@barrage/contracts';

export const PUBLIC_ROUTE = 'barrage:public';
export const REQUIRED_SCOPE = 'barrage:scope';

/** A route anyone may call: health, metrics, the static page and the API reference (they hold no campaign data). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** The scope a route needs when it is not the default (GET/HEAD: read; other methods: write). */
export const RequireScope = (scope: ApiKeyScope) => SetMetadata(REQUIRED_SCOPE, scope);
