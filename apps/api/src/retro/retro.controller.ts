import type { ServerResponse } from 'node:http';
import { Body, Controller, Get, Inject, Param, Post, Res } from '@nestjs/common';
import type { AppConfig } from '@okr-ledger/platform';
import { APP_CONFIG } from '../app.tokens';
import { signDevelopmentToken } from '../auth/development-token';
import { isRole } from '../auth/identity';
import { RETRO_CSS, RETRO_SCRIPT, retroPage } from './retro-page';

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

/** Who a development sign-in signs as: visible in the audit trail should it ever write. */
const DEVELOPMENT_ACTOR = 'retro-development';

/**
 * The retrospective page of a cycle. The page itself needs no token (it holds none until the
 * user signs in) and reads everything through GraphQL and the chart URLs.
 */
@Controller('retro')
export class RetroController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  private get developmentSignIn(): boolean {
    // Only with the HS256 secret this server verifies, and never in production.
    return this.config.nodeEnv !== 'production' && !this.config.auth.jwksUrl;
  }

  @Get('assets/:name')
  asset(@Param('name') name: string, @Res() res: ServerResponse): void {
    const asset =
      name === 'retro.js'
        ? { type: 'text/javascript; charset=utf-8', body: RETRO_SCRIPT }
        : name === 'retro.css'
          ? { type: 'text/css; charset=utf-8', body: RETRO_CSS }
          : null;
    if (!asset) {
      json(res, 404, { errors: [{ message: 'Not found', extensions: { code: 'NOT_FOUND' } }] });
      return;
    }
    res.writeHead(200, {
      'content-type': asset.type,
      'content-length': Buffer.byteLength(asset.body),
      'cache-control': 'no-cache',
    });
    res.end(asset.body);
  }

  @Get(':cycleId')
  page(@Param('cycleId') cycleId: string, @Res() res: ServerResponse): void {
    const body = retroPage(cycleId, this.developmentSignIn);
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-cache',
      'content-security-policy': CSP,
      'referrer-policy': 'no-referrer',
    });
    res.end(body);
  }

  /** Organisation and role → a short-lived development token, as `npm run token` signs one. */
  @Post('development-token')
  async developmentToken(@Body() body: unknown, @Res() res: ServerResponse): Promise<void> {
    if (!this.developmentSignIn) {
      json(res, 404, { errors: [{ message: 'Not found', extensions: { code: 'NOT_FOUND' } }] });
      return;
    }
    const { org, role } = (body ?? {}) as { org?: unknown; role?: unknown };
    const fieldErrors = [
      ...(typeof org === 'string' && org.trim() !== '' && org.length <= 200
        ? []
        : [
            {
              path: 'org',
              constraint: 'required',
              message: 'org must be a non-empty organisation',
            },
          ]),
      ...(isRole(role)
        ? []
        : [{ path: 'role', constraint: 'enum', message: 'role must be ADMIN, MEMBER or AUDITOR' }]),
    ];
    if (fieldErrors.length > 0 || typeof org !== 'string' || !isRole(role)) {
      json(res, 400, {
        errors: [
          {
            message: fieldErrors.map((e) => e.message).join('; '),
            extensions: { code: 'BAD_USER_INPUT', fieldErrors },
          },
        ],
      });
      return;
    }
    const token = await signDevelopmentToken(
      { sub: DEVELOPMENT_ACTOR, org: org.trim(), roles: [role], ttlSeconds: 60 * 60 },
      this.config.auth.jwtSecret,
    );
    json(res, 200, { token });
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}
