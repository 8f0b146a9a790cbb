import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { openApiDocument } from '@barrage/contracts';
import { Public } from '../auth/scope.decorator.js';
import { ApiError } from '../common/api-error.js';

const document = openApiDocument('0.1.0');

/** Swagger UI's files, from its npm package and served by the head itself: no CDN, works offline. */
const swaggerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** Starts Swagger UI on the document; a file of its own because the page's CSP runs no inline script. */
const INIT_SCRIPT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#reference',
    deepLinking: true,
    filter: true,
    displayOperationId: false,
    defaultModelsExpandDepth: 0,
    tryItOutEnabled: false,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout'
  });
});
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Barrage API reference</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
</head>
<body>
<div id="reference"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/docs.js"></script>
</body>
</html>
`;

/** The only files /docs/assets/ serves (no path from the request ever reaches the file system). */
const ASSETS: Record<string, { type: string; body: Buffer | string }> = {
  'swagger-ui.css': { type: 'text/css; charset=utf-8', body: readFileSync(join(swaggerDir, 'swagger-ui.css')) },
  'swagger-ui-bundle.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(join(swaggerDir, 'swagger-ui-bundle.js')) },
  'favicon-32x32.png': { type: 'image/png', body: readFileSync(join(swaggerDir, 'favicon-32x32.png')) },
  'docs.js': { type: 'text/javascript; charset=utf-8', body: INIT_SCRIPT },
};

/**
 * The API reference: GET /docs is a page to read, search (filter by tag) and try the API in
 * (Swagger UI); GET /openapi.json is the OpenAPI document generated from the request schemas.
 * A client that asks /docs for JSON (any non-browser client: `Accept: *\/*` or JSON) still
 * gets the document there, as before the page existed.
 */
/** Public: the reference holds no data, and a reader needs it to learn how to get a key. */
@Public()
@Controller()
export class DocsController {
  @Get('openapi.json')
  openapi() {
    return document;
  }

  @Get('docs')
  docs(@Req() req: Request, @Res() res: Response) {
    if (req.accepts(['json', 'html']) === 'html') res.type('text/html; charset=utf-8').send(PAGE);
    else res.json(document);
  }

  @Get('docs/assets/:file')
  asset(@Param('file') file: string, @Res() res: Response) {
    const asset = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
    if (!asset) throw new ApiError(404, 'NOT_FOUND', `no such asset: ${file}`);
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.type(asset.type).send(asset.body);
  }
}
