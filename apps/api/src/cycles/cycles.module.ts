import { Module } from '@nestjs/common';
import { CyclesResolver } from './cycles.resolver';

@Module({ providers: [CyclesResolver] })
export class CyclesModule {}
