import type { ServerResponse } from 'node:http';
import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { explorerAsset } from './explorer-assets';
import { EXPLORER_SCRIPT } from './explorer-page';

/** The explorer's static files, from node_modules: no CDN involved. */
@Controller('explorer/assets')
export class ExplorerController {
  @Get(':name')
  asset(@Param('name') name: string, @Res() res: ServerResponse): void {
    const asset =
      name === 'explorer.js'
        ? { contentType: 'text/javascript; charset=utf-8', body: Buffer.from(EXPLORER_SCRIPT) }
        : explorerAsset(name);
    if (!asset) throw new NotFoundException();
    res.writeHead(200, {
      'content-type': asset.contentType,
      'content-length': asset.body.length,
      'cache-control': 'public, max-age=3600',
    });
    res.end(asset.body);
  }
}
