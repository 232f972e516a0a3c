import { Module } from '@nestjs/common';
import { RetroController } from './retro.controller';

/** GET /retro/:cycleId: the retrospective page, offline like the explorer. */
@Module({ controllers: [RetroController] })
export class RetroModule {}
