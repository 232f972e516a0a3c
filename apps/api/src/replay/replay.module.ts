import { Module } from '@nestjs/common';
import { ReplayResolver } from './replay.resolver';

@Module({ providers: [ReplayResolver] })
export class ReplayModule {}
