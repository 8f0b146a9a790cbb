import { Controller, Get } from '@nestjs/common';
import { openApiDocument } from '@barrage/contracts';
import { Public } from '../auth/scope.decorator.js';

const document = openApiDocument('0.1.0');

/** GET /docs: the OpenAPI description generated from the request schemas. */
@Public()
@Controller('docs')
export class DocsController {
  @Get()
  docs() {
    return document;
  }
}
